namespace DistCacheAkka.Messages.Hashing;

/// <summary>
/// Jump Consistent Hash (Lamping and Veach, 2014): maps a 64-bit key to one of <c>buckets</c> buckets, perfectly
/// balanced, with no memory, and moving only 1/(n+1) of the keys when a bucket is added.
/// INVARIANT: the constants and arithmetic are those of the paper; routing depends on them.
/// </summary>
public static class JumpConsistentHash
{
    public static int Bucket(ulong key, int buckets)
    {
        if (buckets <= 0)
            throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "The number of buckets must be positive.");

        long b = -1, j = 0;
        while (j < buckets)
        {
            b = j;
            key = unchecked(key * 2862933555777941757UL + 1);
            j = (long)((b + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
        }

        return (int)b;
    }
}
