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

    private readonly ConcurrentDictionary<int, ShardCounters> _backups = new();

    public void RegisterBackup(int shard, ShardCounters counters) => _backups[shard] = counters;

    public void UnregisterBackup(int shard, ShardCounters counters) =>
        _backups.TryRemove(new KeyValuePair<int, ShardCounters>(shard, counters));

    public IReadOnlyCollection<ShardCounters> Backups => (IReadOnlyCollection<ShardCounters>)_backups.Values;

    /// <summary>Writes waiting in EntryActors' asynchronous (Eventual) replication buffers.</summary>
    public long ReplicationQueue;

    public int ShardsOwned => _primaries.Count;

    /// <summary>The counters of <paramref name="shard"/> when this node hosts it as primary and it has recovered.</summary>
    public bool TryGetPrimary(int shard, out ShardCounters counters) => _primaries.TryGetValue(shard, out counters!);

    public IReadOnlyCollection<ShardCounters> Primaries => (IReadOnlyCollection<ShardCounters>)_primaries.Values;
}
