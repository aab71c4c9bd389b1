using System.Collections.Concurrent;
using DistCacheAkka.CacheNode.Storage;

namespace DistCacheAkka.CacheNode.Stats;

/// <summary>The counters of every shard this node currently hosts as primary, keyed by shard id.</summary>
internal sealed class NodeMetrics
{
    private readonly ConcurrentDictionary<int, ShardCounters> _primaries = new();

    public void Register(int shard, ShardCounters counters) => _primaries[shard] = counters;

    public void Unregister(int shard, ShardCounters counters) =>
        _primaries.TryRemove(new KeyValuePair<int, ShardCounters>(shard, counters));

    public int ShardsOwned => _primaries.Count;

    public IReadOnlyCollection<ShardCounters> Primaries => (IReadOnlyCollection<ShardCounters>)_primaries.Values;
}
