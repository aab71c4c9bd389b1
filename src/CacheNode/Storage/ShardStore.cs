using System.Buffers.Binary;
using System.IO.Hashing;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Storage;

/// <summary>
/// The entries of one shard, with no Akka in it: versioned values, absolute and sliding expiry (lazy on access plus
/// sampled sweeps), versioned tombstones and counters. Not thread-safe: one actor owns it.
/// What is NOT guaranteed: a sweep examines a sample, so an expired entry may occupy memory until a sweep or an
/// access finds it (it is never served after its deadline).
/// Memory: every slot's cost (<see cref="EntrySize"/>) is accounted in <see cref="ShardCounters.MemoryBytes"/> and in
/// the node's <see cref="MemoryBudget"/>; <see cref="Admit"/> makes room for a write by the budget's eviction policy.
/// </summary>
internal sealed partial class ShardStore
{
    private readonly Dictionary<string, StoredEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<StoredEntry> _withDeadline = [];
    private readonly List<(string Key, EntryVersion Version)> _expiredSinceDrain = [];
    private readonly TimeProvider _time;
    private readonly long _tombstoneGraceTicks;
    private readonly Random _random;
    private readonly MemoryBudget _budget;
    private long _sequence;

    /// <param name="primary">A primary's store (an EntryActor's), as opposed to a backup copy: evictions are weighted by
    /// its size against the node's other primary shards.</param>
    public ShardStore(int shardId, long epoch, TimeSpan tombstoneGrace, TimeProvider? time = null, int seed = 0, MemoryBudget? budget = null,
        bool primary = false)
    {
        ShardId = shardId;
        Epoch = epoch;
        _tombstoneGraceTicks = tombstoneGrace.Ticks;
        _time = time ?? TimeProvider.System;
        _random = new Random(seed == 0 ? shardId + 1 : seed);
        _budget = budget ?? MemoryBudget.Unlimited();
        _primary = primary;
        if (primary)
            _budget.CountPrimaryShard(+1);
    }

    public int ShardId { get; }

    /// <summary>The epoch of this primary; versions it issues are (Epoch, next sequence).</summary>
    public long Epoch { get; private set; }

    public ShardCounters Counters { get; } = new();

    /// <summary>Live entries plus tombstones (for tests and sweeps).</summary>
    public int SlotCount => _entries.Count;

    private long Now => _time.GetUtcNow().UtcTicks;

    /// <summary>The live value of <paramref name="key"/>; refreshes a sliding expiry. Counts a hit or a miss.</summary>
    public bool TryGet(string key, out byte[] value, out EntryVersion version)
    {
        if (TryGetLive(key, out var entry))
        {
            if (entry.ExpiryKind == ExpiryKind.Sliding)
                SetDeadline(entry, Now + entry.SlidingTicks);
            Touch(entry);
            Counters.Hits++;
            value = entry.Value;
            version = entry.Version;
            return true;
        }

        Counters.Misses++;
        value = [];
        version = default;
        return false;
    }

    /// <summary>As <see cref="TryGet(string, out byte[], out EntryVersion)"/>, with the value's expiry kind and, for an
    /// absolute expiry, the time it has left (<see cref="TimeSpan.Zero"/> otherwise).</summary>
    public bool TryGet(string key, out byte[] value, out EntryVersion version, out ExpiryKind kind, out TimeSpan timeToLive)
    {
        kind = ExpiryKind.None;
        timeToLive = TimeSpan.Zero;
        if (!TryGet(key, out value, out version))
            return false;
        var entry = _entries[key];
        kind = entry.ExpiryKind;
        if (kind == ExpiryKind.Absolute && entry.DeadlineTicks != 0)
            timeToLive = TimeSpan.FromTicks(Math.Max(1, entry.DeadlineTicks - Now));
        return true;
    }

    /// <summary>
    /// Called after every change of what a key reads as: a write, a removal, a replicated state applied, an eviction
    /// or an expiry (not the purge of a tombstone, which reads as nothing before and after). A primary's EntryActor
    /// numbers these for the clients' near caches.
    /// </summary>
    public Action<string, EntryVersion>? OnChange { get; set; }

    /// <summary>Writes a value with a new version. <paramref name="overwritten"/> says whether a live value was replaced.</summary>
    public EntryVersion Set(string key, byte[] value, CacheExpiry expiry, out bool overwritten)
    {
        var now = Now;
        overwritten = TryGetLive(key, out _);
        var version = NextVersion();
        var deadline = expiry.Kind == ExpiryKind.None ? 0 : now + expiry.Duration.Ticks;
        var entry = Upsert(key, value, version, expiry.Kind, expiry.Kind == ExpiryKind.Sliding ? expiry.Duration.Ticks : 0, deadline, tombstone: false);
        if (overwritten)
            Touch(entry);
        else
            entry.LastAccess = ++_clock; // a new key starts at LfuCounter.Initial: created is not yet used (as Redis)
        Counters.Sets++;
        return version;
    }

    /// <summary>Removes a key, leaving a versioned tombstone for the grace period. Returns whether a live value existed.</summary>
    public bool Remove(string key, out EntryVersion version)
    {
        var existed = TryGetLive(key, out _);
        version = NextVersion();
        Upsert(key, [], version, ExpiryKind.None, 0, Now + _tombstoneGraceTicks, tombstone: true);
        Counters.Removes++;
        return existed;
    }

    /// <summary>
    /// Applies a replicated state only if its version is newer than what is held (live or tombstone), so duplicated,
    /// reordered or stale replication is harmless. Returns whether it was applied.
    /// </summary>
    public bool ApplyReplicated(string key, byte[] value, EntryVersion version, ExpiryKind kind, long slidingTicks, long deadlineTicks, bool tombstone)
    {
        if (_entries.TryGetValue(key, out var existing) && existing.Version >= version)
            return false;
        if (version.Epoch == Epoch && version.Sequence > _sequence)
            _sequence = version.Sequence;
        var entry = Upsert(key, value, version, kind, slidingTicks, tombstone && deadlineTicks == 0 ? Now + _tombstoneGraceTicks : deadlineTicks, tombstone);
        entry.LastAccess = ++_clock; // recency unknown: treat as written now, in arrival order
        return true;
    }

    /// <summary>
    /// Examines up to <paramref name="sampleSize"/> random entries that have a deadline: expires live values past
    /// theirs (they become tombstones) and purges tombstones past their grace. Repeats while more than a quarter of
    /// a sample was expired (the Redis approach), at most <paramref name="maxRounds"/> times.
    /// </summary>
    public int SweepExpired(int sampleSize, int maxRounds = 16)
    {
        var expired = 0;
        var now = Now;
        for (var round = 0; round < maxRounds && _withDeadline.Count > 0; round++)
        {
            var examined = Math.Min(sampleSize, _withDeadline.Count);
            var hits = 0;
            for (var i = 0; i < examined && _withDeadline.Count > 0; i++)
            {
                var entry = _withDeadline[_random.Next(_withDeadline.Count)];
                if (entry.DeadlineTicks > now)
                    continue;
                hits++;
                if (entry.IsTombstone)
                    Purge(entry);
                else
                {
                    Expire(entry, now);
                    expired++;
                }
            }

            if (hits * 4 <= examined)
                break;
        }

        return expired;
    }

    /// <summary>Every slot, live values and tombstones (for replication and digests).</summary>
    public IEnumerable<StoredEntry> Snapshot() => _entries.Values;

    /// <summary>The replicated state of a key (value or tombstone), or null if the store holds nothing for it.</summary>
    public ReplicaEntry? Export(string key) =>
        _entries.TryGetValue(key, out var entry) ? ToReplica(entry) : null;

    /// <summary>Applies a replica entry if it is newer than what is held.</summary>
    public bool Apply(ReplicaEntry entry) =>
        ApplyReplicated(entry.Key, entry.Value, entry.Version, entry.ExpiryKind, entry.SlidingTicks, entry.DeadlineTicks, entry.IsTombstone);

    /// <summary>Every slot as a replica entry, except tombstones whose grace has passed (they are gone in meaning).</summary>
    public IEnumerable<ReplicaEntry> ExportAll()
    {
        var now = Now;
        foreach (var entry in _entries.Values)
            if (!(entry.IsTombstone && entry.DeadlineTicks <= now))
                yield return ToReplica(entry);
    }

    /// <summary>The greatest version held (live or tombstone); <see cref="EntryVersion.Zero"/> when empty.</summary>
    public EntryVersion MaxVersion()
    {
        var max = EntryVersion.Zero;
        foreach (var entry in _entries.Values)
            if (entry.Version > max)
                max = entry.Version;
        return max;
    }

    /// <summary>
    /// One digest per bucket (keys bucketed by their hash): the XOR of a hash of (key, version) over the bucket's
    /// entries. Order-independent, so two replicas with the same entries and versions have the same digests whatever
    /// order they applied them in. Tombstones past their grace are left out, as in <see cref="ExportAll"/>.
    /// </summary>
    public ulong[] BucketDigests(int bucketCount)
    {
        var digests = new ulong[bucketCount];
        var now = Now;
        Span<byte> buffer = stackalloc byte[24];
        foreach (var entry in _entries.Values)
        {
            if (entry.IsTombstone && entry.DeadlineTicks <= now)
                continue;
            var keyHash = KeyHasher.Hash(entry.Key);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, keyHash);
            BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], entry.Version.Epoch);
            BinaryPrimitives.WriteInt64LittleEndian(buffer[16..], entry.Version.Sequence);
            digests[BucketOf(keyHash, bucketCount)] ^= XxHash64.HashToUInt64(buffer);
        }

        return digests;
    }

    /// <summary>The entries (as in <see cref="ExportAll"/>) of the given buckets.</summary>
    public List<ReplicaEntry> ExportBuckets(int bucketCount, IReadOnlyCollection<int> buckets)
    {
        var wanted = buckets.ToHashSet();
        return ExportAll().Where(e => wanted.Contains(BucketOf(KeyHasher.Hash(e.Key), bucketCount))).ToList();
    }

    /// <summary>Drops every slot of the given buckets (before their authoritative content is applied).</summary>
    public void DropBuckets(int bucketCount, IReadOnlyCollection<int> buckets)
    {
        var wanted = buckets.ToHashSet();
        var doomed = _entries.Values.Where(e => wanted.Contains(BucketOf(KeyHasher.Hash(e.Key), bucketCount))).ToList();
        foreach (var entry in doomed)
            Purge(entry);
    }

    public static int BucketOf(ulong keyHash, int bucketCount) => (int)(keyHash % (ulong)bucketCount);

    private static ReplicaEntry ToReplica(StoredEntry e) =>
        new(e.Key, e.Value, e.Version, e.ExpiryKind, e.SlidingTicks, e.DeadlineTicks, e.IsTombstone);

    /// <summary>Starts a new epoch (a new primary took the shard over); the sequence restarts under it.</summary>
    public void StartEpoch(long epoch)
    {
        if (epoch <= Epoch)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"A new epoch must exceed the current one ({Epoch}).");
        Epoch = epoch;
        _sequence = 0;
    }

    private bool TryGetLive(string key, out StoredEntry entry)
    {
        if (!_entries.TryGetValue(key, out entry!) || entry.IsTombstone)
            return false;
        var now = Now;
        if (entry.DeadlineTicks != 0 && entry.DeadlineTicks <= now)
        {
            Expire(entry, now);
            return false;
        }

        return true;
    }

    private EntryVersion NextVersion() => new(Epoch, ++_sequence);

    private void Expire(StoredEntry entry, long now)
    {
        Counters.Expirations++;
        Bury(entry, entry.Version, now + _tombstoneGraceTicks);
        _expiredSinceDrain.Add((entry.Key, entry.Version));
    }

    /// <summary>Turns a live value into a tombstone of <paramref name="version"/> kept until <paramref name="deadline"/>.</summary>
    private void Bury(StoredEntry entry, EntryVersion version, long deadline)
    {
        Counters.Entries--;
        Counters.Bytes -= entry.SizeBytes;
        Account(-EntrySize.ArrayBytes(entry.Value.Length));
        RemoveLive(entry);
        entry.IsTombstone = true;
        entry.Value = [];
        entry.Version = version;
        entry.ExpiryKind = ExpiryKind.None;
        entry.SlidingTicks = 0;
        SetDeadline(entry, deadline);
        OnChange?.Invoke(entry.Key, version);
    }

    /// <summary>
    /// Keys that expired (lazily or in a sweep) since the last call, so the owner can publish KeyInvalidated.
    /// Allocates only when something expired.
    /// </summary>
    public IReadOnlyList<(string Key, EntryVersion Version)> DrainExpired()
    {
        if (_expiredSinceDrain.Count == 0)
            return [];
        var drained = _expiredSinceDrain.ToArray();
        _expiredSinceDrain.Clear();
        return drained;
    }

    private void Purge(StoredEntry entry)
    {
        if (!entry.IsTombstone)
        {
            Counters.Entries--;
            Counters.Bytes -= entry.SizeBytes;
            RemoveLive(entry);
        }

        Account(-EntrySize.Of(entry.Key, entry.Value.Length));
        RemoveDeadline(entry);
        _entries.Remove(entry.Key);
    }

    private StoredEntry Upsert(string key, byte[] value, EntryVersion version, ExpiryKind kind, long slidingTicks, long deadline, bool tombstone)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (!entry.IsTombstone)
            {
                Counters.Entries--;
                Counters.Bytes -= entry.SizeBytes;
            }

            Account(EntrySize.ArrayBytes(value.Length) - EntrySize.ArrayBytes(entry.Value.Length));
        }
        else
        {
            entry = new StoredEntry { Key = key, Frequency = LfuCounter.Initial, FrequencyMinute = NowMinute };
            _entries[key] = entry;
            Account(EntrySize.Of(key, value.Length));
        }

        entry.Value = value;
        entry.Version = version;
        entry.ExpiryKind = kind;
        entry.SlidingTicks = slidingTicks;
        entry.IsTombstone = tombstone;
        SetDeadline(entry, deadline);
        if (!tombstone)
        {
            Counters.Entries++;
            Counters.Bytes += entry.SizeBytes;
            AddLive(entry);
        }
        else
            RemoveLive(entry);

        OnChange?.Invoke(key, version);
        return entry;
    }

    private void SetDeadline(StoredEntry entry, long deadline)
    {
        entry.DeadlineTicks = deadline;
        if (deadline == 0)
            RemoveDeadline(entry);
        else if (entry.DeadlineSlot < 0)
        {
            entry.DeadlineSlot = _withDeadline.Count;
            _withDeadline.Add(entry);
        }
    }

    private void RemoveDeadline(StoredEntry entry)
    {
        var slot = entry.DeadlineSlot;
        if (slot < 0)
            return;
        var last = _withDeadline[^1];
        _withDeadline[slot] = last;
        last.DeadlineSlot = slot;
        _withDeadline.RemoveAt(_withDeadline.Count - 1);
        entry.DeadlineSlot = -1;
    }
}
