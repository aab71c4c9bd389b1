using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

// Memory: the store decides evictions (ShardStore.Admit); this part carries them with the write that caused them (so
// they reach the backups at that write's consistency level, as versioned removals), publishes KeyInvalidated(Evicted),
// refuses writes under noeviction, and remembers backups that reported their node over budget (the last report counts
// for 3 s: hold or shrink this shard, see BackupPressure).
internal sealed partial class EntryActor
{
    /// <summary>How long a backup's MemoryPressure report counts (it repeats about once a second while it lasts).</summary>
    private static readonly TimeSpan PressureValidity = TimeSpan.FromSeconds(3);

    private MemoryPressure? _backupPressure;
    private long _backupPressureUntil;

    private BackupPressure BackupPressureNow =>
        _backupPressure is not null && _node.Time.GetUtcNow().UtcTicks < _backupPressureUntil
            ? MemoryBudget.PressureOf(_backupPressure.UsedBytes, _backupPressure.LimitBytes)
            : BackupPressure.None;

    private void ReceiveMemory() => Receive<MemoryPressure>(Handle);

    private void Handle(MemoryPressure pressure)
    {
        _backupPressure = pressure;
        _backupPressureUntil = _node.Time.GetUtcNow().UtcTicks + PressureValidity.Ticks;
    }

    private static ReplicaEntry[] WithEvictions(Admission admission, ReplicaEntry write)
    {
        if (admission.Evicted.Count == 0)
            return [write];
        var entries = new ReplicaEntry[admission.Evicted.Count + 1];
        for (var i = 0; i < admission.Evicted.Count; i++)
            entries[i] = admission.Evicted[i];
        entries[^1] = write;
        return entries;
    }

    private void PublishEvicted(Admission admission)
    {
        foreach (var evicted in admission.Evicted)
            Invalidated(evicted.Key, InvalidationReason.Evicted, evicted.Version);
    }

    /// <summary>The refusal of a write the budget cannot take, naming the limit and the usage (like Redis's OOM error).</summary>
    private CacheError OutOfMemory(string what, Admission admission)
    {
        var policy = _node.Budget.Policy.ToString().ToLowerInvariant().Replace("volatilettl", "volatile-ttl");
        var (node, used, limit) = BackupPressureNow != BackupPressure.None && _node.Budget.Shortfall(0) <= 0
            ? ($"backup node {_backupPressure!.Replica}", _backupPressure.UsedBytes, _backupPressure.LimitBytes)
            : ($"node {_self}", admission.UsedBytes, admission.LimitBytes);
        return new CacheError(CacheErrorCode.OutOfMemory,
            $"OOM: write of {what} (shard {_shard}) refused: {node} uses {used:N0} bytes of its {limit:N0}-byte memory limit " +
            $"(distcache.memory.limit) and distcache.memory.eviction-policy is {policy}" +
            (policy == "volatile-ttl" ? " with no entry with a TTL left to evict" : "") +
            ". Reads, removes and stats still work; remove keys, set TTLs, add nodes or raise the limit.");
    }
}
