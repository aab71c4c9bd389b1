namespace DistCacheAkka.CacheNode.Storage;

/// <summary>
/// Redis's LFU counter: 8 bits that count accesses logarithmically (an access increments it with probability
/// 1 / ((counter − 5) · 10 + 1), so about a million hits saturate it) and lose one point per idle minute, so once-hot
/// keys cool down. New keys start at 5 so they are not evicted before they had a chance to be read.
/// </summary>
internal static class LfuCounter
{
    public const byte Initial = 5;
    private const int LogFactor = 10;

    public static byte Increment(byte counter, double random)
    {
        if (counter == byte.MaxValue)
            return counter;
        var baseline = Math.Max(0, counter - Initial);
        return random < 1.0 / ((baseline * LogFactor) + 1) ? (byte)(counter + 1) : counter;
    }

    /// <summary>The counter after <paramref name="nowMinute"/> − <paramref name="lastMinute"/> idle minutes (16-bit wrapping).</summary>
    public static byte Decayed(byte counter, ushort lastMinute, ushort nowMinute)
    {
        var idle = (ushort)(nowMinute - lastMinute);
        return idle >= counter ? (byte)0 : (byte)(counter - idle);
    }
}
