namespace DistCacheAkka.Messages;

/// <summary>
/// Cuts a sequence into consecutive chunks of at most <c>maxBytes</c> (by a caller's size estimate), so that no
/// message exceeds the transport's frame size; an item larger than the limit travels alone.
/// </summary>
public static class SizeChunks
{
    /// <summary>A generous size estimate of a replica entry on the wire: key (UTF-8 worst case) + value + fields.</summary>
    public static long Of(ReplicaEntry entry) => (entry.Key.Length * 3L) + entry.Value.Length + 32;

    public static IEnumerable<T[]> Split<T>(IEnumerable<T> items, Func<T, long> sizeOf, long maxBytes)
    {
        var chunk = new List<T>();
        long size = 0;
        foreach (var item in items)
        {
            var itemSize = sizeOf(item);
            if (chunk.Count > 0 && size + itemSize > maxBytes)
            {
                yield return chunk.ToArray();
                chunk.Clear();
                size = 0;
            }

            chunk.Add(item);
            size += itemSize;
        }

        if (chunk.Count > 0)
            yield return chunk.ToArray();
    }
}
