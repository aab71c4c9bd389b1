using System.Collections.Concurrent;
using System.Diagnostics;
using DistCacheAkka.ClientProxy.Telemetry;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.NearCache;

/// <summary>
/// The client's near cache (issue 15): key → value read from a shard's primary under a known <i>stream</i>, kept
/// coherent by the nodes' invalidation feeds (<see cref="NearCacheFeed"/>). Thread-safe: hits are lock-free (a
/// dictionary lookup and three volatile reads); fills, invalidations and feed messages take one lock.
/// <para><b>When an entry is served.</b> Only while its shard is <i>followed</i>: this client holds the stream id and
/// sequence of the shard's primary from that primary's node, has received every message of that node's feed since
/// (a feed message's sequence that skips drops every shard followed through that node), and heard from that node
/// within <see cref="StaleAfter"/> (nodes send a heartbeat every second; a paused client or node stops hits until the
/// feed catches up). An entry is cached only if the primary read it under the very stream followed at the time,
/// and no invalidation of its key or drop of its shard happened while the read was in flight (a <see cref="Fetch"/>
/// is a reservation, as in Hazelcast's near cache). A shard is dropped — its entries removed — when its stream
/// changes (a new primary), its sequence skips, its node's snapshot disagrees, its node turns unreachable, or the
/// client loses the cluster.</para>
/// <para><b>Read-your-writes.</b> A write or removal by this client removes the key before it is sent and again when
/// it is acknowledged, and discards any fetch in flight, so a later read goes to the cluster.</para>
/// <para>One fetch per key is in flight: concurrent misses of a key wait for the first caller's read.</para>
/// </summary>
internal sealed class NearCache
{
    /// <summary>A shard is served from the near cache only if its node's feed was heard from this recently.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(3);

    public static readonly long StaleAfterTicks = (long)(StaleAfter.TotalSeconds * Stopwatch.Frequency);

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Fetch> _inflight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Link> _links = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _clock = new();
    private readonly HashSet<string>?[] _keysOfShard;
    private readonly Link?[] _shardLink;
    private readonly long[] _shardStream;
    private readonly long[] _shardSequence;
    private readonly long[] _shardGeneration;
    private readonly int _maxEntries;
    private readonly long _maxAgeTicks;
    private long _hits;
    private long _misses;
    private long _invalidations;

    private readonly Func<long> _now;

    /// <param name="options">Bounds of the cache.</param>
    /// <param name="shards">The cluster's shard count.</param>
    /// <param name="now">The clock in <see cref="Stopwatch"/> ticks (tests step it); default Stopwatch.GetTimestamp.</param>
    public NearCache(NearCacheOptions options, int shards, Func<long>? now = null)
    {
        _now = now ?? Stopwatch.GetTimestamp;
        if (options.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        _maxEntries = options.MaxEntries;
        _maxAgeTicks = options.MaxAge is { } age ? (long)(age.TotalSeconds * Stopwatch.Frequency) : 0;
        _keysOfShard = new HashSet<string>?[shards];
        _shardLink = new Link?[shards];
        _shardStream = new long[shards];
        _shardSequence = new long[shards];
        _shardGeneration = new long[shards];
    }

    public NearCacheStats Stats =>
        new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _invalidations), _entries.Count);

    /// <summary>Entries held now (locks the map briefly: for gauges, not hot paths).</summary>
    public int Count => _entries.Count;

    /// <summary>Whether <paramref name="shard"/> is followed now (for tests and diagnostics).</summary>
    public bool IsFollowed(int shard) => Fresh(shard, _now());

    /// <summary>The cached value of <paramref name="key"/> if it may be served now; counts a hit or nothing (the
    /// caller counts the miss once it fetches).</summary>
    public bool TryGet(string key, out byte[] value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            var now = _now();
            if (!entry.Absent && (entry.Deadline == 0 || now < entry.Deadline) && Volatile.Read(ref _shardStream[entry.Shard]) == entry.Stream && Fresh(entry.Shard, now))
            {
                entry.Accessed = true;
                Interlocked.Increment(ref _hits);
                ClientTelemetry.NearHits.Add(1);
                value = entry.Value;
                return true;
            }
        }

        value = [];
        return false;
    }

    /// <summary>
    /// As <see cref="TryGet"/>, and also answers for a key whose absence was cached (<see cref="BeginFetch"/> with
    /// cacheAbsence): true with a null <paramref name="value"/>. Used by the HybridCache for its reserved tag markers.
    /// </summary>
    public bool TryGetOrAbsent(string key, out byte[]? value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            var now = _now();
            if ((entry.Deadline == 0 || now < entry.Deadline) && Volatile.Read(ref _shardStream[entry.Shard]) == entry.Stream && Fresh(entry.Shard, now))
            {
                entry.Accessed = true;
                Interlocked.Increment(ref _hits);
                ClientTelemetry.NearHits.Add(1);
                value = entry.Absent ? null : entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Starts reading <paramref name="key"/> for the cache, or joins the read already in flight: the caller that gets
    /// <paramref name="leader"/> true sends the <see cref="NearGet"/> and must end the fetch with
    /// <see cref="Complete"/> or <see cref="Fail"/>; the others await <see cref="Fetch.Result"/>.
    /// </summary>
    /// <param name="key">The key read.</param>
    /// <param name="shard">The key's shard.</param>
    /// <param name="leader">True for the caller that must send the read.</param>
    /// <param name="cacheAbsence">Whether a <see cref="NotFound"/> answer may be cached as an absent entry, under the
    /// stream followed when the fetch began. Weaker than a value (a NotFound names no stream, so during a hand-off it
    /// may come from the next primary), so only the HybridCache's tag markers ask for it.</param>
    public Fetch BeginFetch(string key, int shard, out bool leader, bool cacheAbsence = false)
    {
        lock (_gate)
        {
            if (_inflight.TryGetValue(key, out var running))
            {
                leader = false;
                return running;
            }

            Interlocked.Increment(ref _misses);
            ClientTelemetry.NearMisses.Add(1);
            var fetch = new Fetch(key, shard, _shardGeneration[shard], _now())
            {
                AbsenceStream = cacheAbsence ? Volatile.Read(ref _shardStream[shard]) : 0,
            };
            _inflight[key] = fetch;
            leader = true;
            return fetch;
        }
    }

    /// <summary>Ends a fetch with the node's answer: caches the value if it may be, and answers the waiting callers.</summary>
    public void Complete(Fetch fetch, IGetResponse reply)
    {
        lock (_gate)
        {
            Forget(fetch);
            if (reply is NearGetSuccess success && success.Stream != 0 && !fetch.Invalidated
                && fetch.Generation == _shardGeneration[fetch.Shard] && _shardStream[fetch.Shard] == success.Stream
                && Fresh(fetch.Shard, _now()))
                Insert(fetch, success);
            else if (reply is NotFound && fetch.AbsenceStream != 0 && !fetch.Invalidated
                && fetch.Generation == _shardGeneration[fetch.Shard] && _shardStream[fetch.Shard] == fetch.AbsenceStream
                && Fresh(fetch.Shard, _now()))
                Insert(fetch, new NearGetSuccess(fetch.Key, [], default, fetch.AbsenceStream, TimeSpan.Zero), absent: true);
        }

        fetch.Answer(reply);
    }

    /// <summary>Ends a fetch that failed: the waiting callers get the same exception.</summary>
    public void Fail(Fetch fetch, Exception error)
    {
        lock (_gate)
            Forget(fetch);
        fetch.Answer(error);
    }

    /// <summary>This client writes or removes <paramref name="key"/>: no copy of it, and no read in flight, survives.</summary>
    public void InvalidateLocal(string key)
    {
        lock (_gate)
            RemoveKey(key);
    }

    /// <summary>Takes one message of a node's invalidation feed.</summary>
    public void Apply(NearCacheFeed feed)
    {
        lock (_gate)
        {
            if (!_links.TryGetValue(feed.Reporter, out var link))
                _links[feed.Reporter] = link = new Link(feed.Reporter);
            if (feed.Sequence != link.Next)
            {
                // A lost message, or a new subscription (the node dropped the old one, or restarted): whatever this link
                // followed may have missed changes.
                DropLink(link);
                link.Synced = false;
            }

            link.Next = feed.Sequence + 1;
            Volatile.Write(ref link.LastHeard, _now());
            foreach (var change in feed.Changes)
                Apply(link, change);
            if (feed.HasSnapshot)
                Resync(link, feed.Snapshot);
        }
    }

    /// <summary>Stops following every shard whose node is not in <paramref name="reachable"/> (unreachable, lost or
    /// gone); with none reachable the cache is empty.</summary>
    public void RetainNodes(IReadOnlyCollection<string> reachable)
    {
        lock (_gate)
        {
            foreach (var link in _links.Values.ToList())
            {
                if (reachable.Contains(link.Reporter))
                    continue;
                DropLink(link);
                _links.Remove(link.Reporter); // a later message starts a new link (and waits for a snapshot)
            }
        }
    }

    private void Apply(Link link, StreamChange change)
    {
        var shard = change.Shard;
        if ((uint)shard >= (uint)_shardLink.Length)
            return;
        switch (change.Kind)
        {
            case StreamChangeKind.Invalidated:
                RemoveKey(change.Key);
                if (_shardLink[shard] != link)
                    return; // followed through another node (a hand-off in progress), or not followed
                if (_shardStream[shard] == change.Stream && _shardSequence[shard] + 1 == change.Sequence)
                    _shardSequence[shard] = change.Sequence;
                else
                    Unfollow(shard); // cannot happen on an unbroken link; be safe
                break;
            case StreamChangeKind.Started:
                if (link.Synced)
                    Follow(shard, link, change.Stream, change.Sequence);
                break;
            case StreamChangeKind.Stopped:
                if (_shardLink[shard] == link && _shardStream[shard] == change.Stream)
                    Unfollow(shard);
                break;
        }
    }

    /// <summary>A snapshot lists every stream running on the link's node after the changes before it.</summary>
    private void Resync(Link link, IReadOnlyList<ShardStream> snapshot)
    {
        var listed = new HashSet<int>();
        foreach (var stream in snapshot)
        {
            if ((uint)stream.Shard >= (uint)_shardLink.Length)
                continue;
            listed.Add(stream.Shard);
            if (_shardLink[stream.Shard] != link || _shardStream[stream.Shard] != stream.Stream || _shardSequence[stream.Shard] != stream.Sequence)
                Follow(stream.Shard, link, stream.Stream, stream.Sequence);
        }

        for (var shard = 0; shard < _shardLink.Length; shard++)
        {
            if (_shardLink[shard] == link && !listed.Contains(shard))
                Unfollow(shard);
        }

        link.Synced = true;
    }

    private void Follow(int shard, Link link, long stream, long sequence)
    {
        Unfollow(shard);
        _shardLink[shard] = link;
        _shardSequence[shard] = sequence;
        Volatile.Write(ref _shardStream[shard], stream);
    }

    /// <summary>Removes the shard's entries and discards its reads in flight; it is served again once followed.</summary>
    private void Unfollow(int shard)
    {
        Volatile.Write(ref _shardStream[shard], 0);
        _shardLink[shard] = null;
        _shardGeneration[shard]++;
        if (_keysOfShard[shard] is not { Count: > 0 } keys)
            return;
        foreach (var key in keys)
        {
            if (_entries.TryRemove(key, out var entry))
            {
                entry.Removed = true;
                Interlocked.Increment(ref _invalidations);
                ClientTelemetry.NearInvalidations.Add(1);
            }
        }

        keys.Clear();
    }

    private void DropLink(Link link)
    {
        for (var shard = 0; shard < _shardLink.Length; shard++)
        {
            if (_shardLink[shard] == link)
                Unfollow(shard);
        }
    }

    private void RemoveKey(string key)
    {
        if (_inflight.Remove(key, out var fetch))
            fetch.Invalidated = true;
        if (!_entries.TryRemove(key, out var entry))
            return;
        entry.Removed = true;
        _keysOfShard[entry.Shard]?.Remove(key);
        Interlocked.Increment(ref _invalidations);
        ClientTelemetry.NearInvalidations.Add(1);
    }

    private void Forget(Fetch fetch)
    {
        if (_inflight.TryGetValue(fetch.Key, out var current) && current == fetch)
            _inflight.Remove(fetch.Key);
    }

    private void Insert(Fetch fetch, NearGetSuccess success, bool absent = false)
    {
        // Deadlines count from when the read was sent: the value's time to live was measured after that, so the copy
        // never outlives the primary's value.
        var deadline = success.TimeToLive > TimeSpan.Zero ? fetch.SentAt + (long)(success.TimeToLive.TotalSeconds * Stopwatch.Frequency) : 0;
        if (_maxAgeTicks > 0)
            deadline = deadline == 0 ? fetch.SentAt + _maxAgeTicks : Math.Min(deadline, fetch.SentAt + _maxAgeTicks);
        var entry = new Entry(success.Value, fetch.Shard, success.Stream, deadline, fetch.Key) { Absent = absent };
        if (_entries.TryGetValue(fetch.Key, out var old))
        {
            old.Removed = true;
        }
        else
        {
            while (_entries.Count >= _maxEntries && EvictOne())
            {
            }
        }

        _entries[fetch.Key] = entry;
        (_keysOfShard[fetch.Shard] ??= new HashSet<string>(StringComparer.Ordinal)).Add(fetch.Key);
        _clock.Enqueue(entry);
    }

    /// <summary>CLOCK: an entry read since it was last passed gets a second chance; the first one not read goes.</summary>
    private bool EvictOne()
    {
        while (_clock.TryDequeue(out var candidate))
        {
            if (candidate.Removed)
                continue;
            if (candidate.Accessed)
            {
                candidate.Accessed = false;
                _clock.Enqueue(candidate);
                continue;
            }

            candidate.Removed = true;
            _entries.TryRemove(candidate.Key, out _);
            _keysOfShard[candidate.Shard]?.Remove(candidate.Key);
            return true;
        }

        return false;
    }

    private bool Fresh(int shard, long now) =>
        Volatile.Read(ref _shardLink[shard]) is { } link && now - Volatile.Read(ref link.LastHeard) < StaleAfterTicks;

    /// <summary>One node's feed as this client receives it.</summary>
    private sealed class Link(string reporter)
    {
        public readonly string Reporter = reporter;
        public long Next = 1;
        public long LastHeard;
        public bool Synced; // a snapshot arrived since the link started or broke: Started changes may be followed
    }

    private sealed class Entry(byte[] value, int shard, long stream, long deadline, string key)
    {
        public readonly byte[] Value = value;
        public readonly int Shard = shard;
        public readonly long Stream = stream;
        public readonly long Deadline = deadline;
        public readonly string Key = key;
        public bool Absent; // a cached NotFound (tag markers only)
        public bool Accessed;
        public bool Removed;
    }

    /// <summary>A read in flight for the cache: a reservation that an invalidation of its key or a drop of its shard
    /// voids, and the answer its waiting callers share.</summary>
    internal sealed class Fetch(string key, int shard, long generation, long sentAt)
    {
        private readonly TaskCompletionSource<IGetResponse> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Key { get; } = key;
        public int Shard { get; } = shard;
        public long Generation { get; } = generation;
        public long SentAt { get; } = sentAt;
        public bool Invalidated { get; set; }

        /// <summary>The stream followed when an absence-caching fetch began (0: a NotFound is not cached).</summary>
        public long AbsenceStream { get; init; }

        /// <summary>The node's answer (or the leader's exception), for the callers that joined the fetch.</summary>
        public Task<IGetResponse> Result => _result.Task;

        public void Answer(IGetResponse reply) => _result.TrySetResult(reply);

        public void Answer(Exception error)
        {
            _result.TrySetException(error);
            _ = _result.Task.Exception; // observed: the leader rethrows it; joiners, if any, see it too
        }
    }
}
