using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Storage;

/// <summary>What <see cref="ShardStore.Admit"/> decided about a write.</summary>
internal readonly record struct Admission(bool Admitted, IReadOnlyList<ReplicaEntry> Evicted, long UsedBytes, long LimitBytes)
{
    public static readonly Admission Free = new(true, [], 0, 0);
}

// Memory accounting and eviction. Eviction is decided here, by the shard's primary: it samples its own live entries
// (uniform hashing spreads hot and cold keys evenly over shards, so per-shard LRU approximates node-wide LRU, as Redis
// Cluster's per-node eviction does) and turns each victim into a versioned tombstone, which the caller replicates
// with the write that caused it, so backups mirror their primary and a failover cannot bring the key back.
// Backup stores never evict: they only apply what their primary replicates.
internal sealed partial class ShardStore
{
    /// <summary>At most this many evictions per key written: O(1) work per key even when far over budget.</summary>
    public const int MaxEvictionsPerKey = 8;

    private readonly List<StoredEntry> _live = [];
    private readonly EvictionPool _pool = new();
    private readonly bool _primary;
    private long _clock;
    private bool _released;

    /// <summary>Accounted bytes of this shard's slots (entries, tombstones, overhead).</summary>
    public long MemoryBytes => Counters.MemoryBytes;

    /// <summary>Live values (for tests).</summary>
    public int LiveCount => _live.Count;

    private ushort NowMinute => (ushort)(_time.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute);

    /// <summary>
    /// Makes room for a write of <paramref name="incomingBytes"/> over <paramref name="keys"/> keys (see
    /// <see cref="CostOfWrite"/>) when the node would go over its budget, or when a backup of this shard reported that
    /// its node is over (<paramref name="backupPressure"/>: hold = evict what the write adds, shrink = twice that): it
    /// evicts by the budget's policy, never
    /// <paramref name="keep"/>, at most <see cref="MaxEvictionsPerKey"/> entries per key written.
    /// How much: what the node lacks, but at most twice what the write adds. Every shard's primary acts on the node's
    /// shortfall at once; if each evicted all of it, shards would be drained far below their share (and a hot key would
    /// go with them). At twice the write, a node over budget shrinks at its write rate, spread over its shards the
    /// way the writes are.
    /// Refuses the write (Admitted = false) under noeviction, or under volatile-ttl when no entry with a TTL is left.
    /// Under lru and lfu a write is admitted even when this shard had nothing left to evict: other shards' writes evict.
    /// </summary>
    public Admission Admit(long incomingBytes, int keys = 1, BackupPressure backupPressure = BackupPressure.None, string? keep = null)
    {
        var twice = 2 * Math.Max(incomingBytes, 1);
        var needed = Math.Min(_budget.Shortfall(incomingBytes), twice);
        needed = backupPressure switch
        {
            BackupPressure.Hold => Math.Max(needed, Math.Max(incomingBytes, 1)),
            BackupPressure.Shrink => twice,
            _ => needed,
        };
        if (needed <= 0)
            return Admission.Free;
        if (_budget.Policy == EvictionPolicy.NoEviction)
            return Refuse();
        needed = (long)(needed * SizeWeight());

        List<ReplicaEntry>? evicted = null;
        long freed = 0;
        var maxEvictions = MaxEvictionsPerKey * Math.Max(1, keys);
        while (freed < needed && (evicted?.Count ?? 0) < maxEvictions)
        {
            var victim = NextVictim(keep);
            if (victim is null)
                break;
            freed += EntrySize.ArrayBytes(victim.Value.Length);
            (evicted ??= []).Add(Evict(victim));
        }

        if (evicted is null && _budget.Policy == EvictionPolicy.VolatileTtl && _budget.Shortfall(incomingBytes) > 0)
            return Refuse();
        return evicted is null ? Admission.Free : new Admission(true, evicted, _budget.UsedBytes, _budget.LimitBytes);
    }

    /// <summary>
    /// This shard's size against the mean of the node's primary shards, between 0 and 4: a shard twice the mean evicts
    /// twice its share, one at half the mean half of it. Without it a shard's size would be a random walk under
    /// eviction, and a small shard would be drained (its hot keys with it) while a large one kept cold keys; with it,
    /// per-shard LRU approaches node-wide LRU. Backup stores and a node without primaries weigh 1.
    /// </summary>
    private double SizeWeight()
    {
        var mean = _budget.MeanPrimaryShardBytes;
        return !_primary || mean <= 0 ? 1.0 : Math.Clamp(Counters.MemoryBytes / mean, 0, 4);
    }

    /// <summary>The bytes a write of <paramref name="key"/> with a value of <paramref name="valueLength"/> bytes adds.</summary>
    public long CostOfWrite(string key, int valueLength) =>
        _entries.TryGetValue(key, out var existing)
            ? EntrySize.ArrayBytes(valueLength) - EntrySize.ArrayBytes(existing.Value.Length)
            : EntrySize.Of(key, valueLength);

    /// <summary>Gives this store's bytes back to the node's budget (the store is dropped: handed off, stopped, released).</summary>
    public void Release()
    {
        if (_released)
            return;
        _released = true;
        _budget.Add(-Counters.MemoryBytes);
        if (_primary)
        {
            _budget.AddPrimary(-Counters.MemoryBytes);
            _budget.CountPrimaryShard(-1);
        }

        Counters.MemoryBytes = 0;
    }

    private Admission Refuse()
    {
        _budget.CountRefusal();
        return new Admission(false, [], _budget.UsedBytes, _budget.LimitBytes);
    }

    private ReplicaEntry Evict(StoredEntry victim)
    {
        Counters.Evictions++;
        Bury(victim, NextVersion(), Now + _budget.EvictionTombstoneGrace.Ticks);
        return ToReplica(victim);
    }

    private StoredEntry? NextVictim(string? keep)
    {
        var volatileOnly = _budget.Policy == EvictionPolicy.VolatileTtl;
        var population = volatileOnly ? _withDeadline : _live;
        Func<StoredEntry, double> score = _budget.Policy switch
        {
            EvictionPolicy.Lfu => LfuScore,
            EvictionPolicy.VolatileTtl => e => -(double)e.DeadlineTicks,
            _ => e => _clock - e.LastAccess,
        };
        bool Eligible(StoredEntry e) => !e.IsTombstone && e.LiveSlot >= 0 && (!volatileOnly || e.DeadlineTicks != 0) && e.Key != keep;

        // Sample into the pool; a population of tombstones only (volatile-ttl) yields nothing after a few tries.
        for (var attempt = 0; attempt < (volatileOnly ? 8 : 3); attempt++)
        {
            if (population.Count == 0)
                break;
            for (var i = 0; i < _budget.Samples; i++)
            {
                var sampled = population[_random.Next(population.Count)];
                if (Eligible(sampled))
                    _pool.Offer(sampled, score);
            }

            if (_pool.TakeBest(score, Eligible) is { } victim)
                return victim;
        }

        return null;
    }

    private double LfuScore(StoredEntry e)
    {
        // Fewer accesses first; among equals, the longer idle.
        var frequency = LfuCounter.Decayed(e.Frequency, e.FrequencyMinute, NowMinute);
        return ((255 - frequency) * 1e12) + (_clock - e.LastAccess);
    }

    private void Touch(StoredEntry entry)
    {
        entry.LastAccess = ++_clock;
        if (_budget.Policy == EvictionPolicy.Lfu)
        {
            var minute = NowMinute;
            entry.Frequency = LfuCounter.Increment(LfuCounter.Decayed(entry.Frequency, entry.FrequencyMinute, minute), _random.NextDouble());
            entry.FrequencyMinute = minute;
        }
    }

    private void Account(long delta)
    {
        if (delta == 0)
            return;
        Counters.MemoryBytes += delta;
        _budget.Add(delta);
        if (_primary)
            _budget.AddPrimary(delta);
    }

    private void AddLive(StoredEntry entry)
    {
        if (entry.LiveSlot >= 0)
            return;
        entry.LiveSlot = _live.Count;
        _live.Add(entry);
    }

    private void RemoveLive(StoredEntry entry)
    {
        var slot = entry.LiveSlot;
        if (slot < 0)
            return;
        var last = _live[^1];
        _live[slot] = last;
        last.LiveSlot = slot;
        _live.RemoveAt(_live.Count - 1);
        entry.LiveSlot = -1;
    }
}
