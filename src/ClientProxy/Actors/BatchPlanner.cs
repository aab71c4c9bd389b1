using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// Splits a batch into per-shard requests, no Akka involved: keys are grouped by shard (duplicates dropped), and a
/// shard's group is cut into chunks of at most maxBatchBytes of keys and values so that no message exceeds the
/// transport's frame size.
/// </summary>
public static class BatchPlanner
{
    private const int PerEntryOverhead = 16;

    /// <summary>One GetMany per shard chunk, ordered by shard.</summary>
    public static IReadOnlyList<GetMany> SplitGets(IEnumerable<string> keys, ShardResolver resolver, ConsistencyLevel level, int maxBatchBytes)
    {
        var result = new List<GetMany>();
        foreach (var group in keys.Distinct(StringComparer.Ordinal).GroupBy(resolver.ShardOf).OrderBy(g => g.Key))
            foreach (var chunk in SizeChunks.Split(group, k => (k.Length * 3) + PerEntryOverhead, maxBatchBytes))
                result.Add(new GetMany(group.Key, chunk, level));
        return result;
    }

    /// <summary>One SetMany per shard chunk, ordered by shard; for a duplicated key the last value wins.</summary>
    public static IReadOnlyList<SetMany> SplitSets(
        IEnumerable<KeyValue> items, ShardResolver resolver, CacheExpiry expiry, ConsistencyLevel level, int maxBatchBytes)
    {
        // Last write wins within a batch for a duplicated key, as it would for separate calls in order.
        var unique = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        foreach (var item in items)
            unique[item.Key] = item;

        var result = new List<SetMany>();
        foreach (var group in unique.Values.GroupBy(i => resolver.ShardOf(i.Key)).OrderBy(g => g.Key))
            foreach (var chunk in SizeChunks.Split(group, i => (i.Key.Length * 3) + i.Value.Length + PerEntryOverhead, maxBatchBytes))
                result.Add(new SetMany(group.Key, chunk, expiry, level));
        return result;
    }
}
