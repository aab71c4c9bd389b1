using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// The bookkeeping of one shard's recovery, kept out of the actor so it can be tested on its own: which data nodes
/// still owe their copy, which ones held entries, which primaries the copy holders last heard from, and the highest
/// epoch seen. The <see cref="EntryActor"/> sends the requests, applies the entries and switches phase when
/// <see cref="Accept"/> or <see cref="ForgetDeparted"/> reports the recovery complete.
/// </summary>
internal sealed class RecoveryProgress
{
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _holders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _previousPrimaries = new(StringComparer.Ordinal);

    /// <summary>The id of the current round of copy requests; answers to other rounds are ignored.</summary>
    public long RequestId { get; private set; }

    /// <summary>The highest epoch any copy holder reported: the new primary starts above it.</summary>
    public long MaxEpochSeen { get; private set; }

    /// <summary>Entries that were newer than what the store had (the store decides; see <see cref="Accept"/>).</summary>
    public long RecoveredEntries { get; private set; }

    /// <summary>Nodes asked that have not sent their last chunk yet.</summary>
    public IReadOnlyCollection<string> Pending => _pending;

    /// <summary>Starts waiting for <paramref name="nodes"/> (every data node that is a member, reachable or not).</summary>
    public void Start(long requestId, IEnumerable<string> nodes)
    {
        RequestId = requestId;
        _pending.Clear();
        _pending.UnionWith(nodes);
    }

    /// <summary>
    /// Takes one chunk of a node's copy: <paramref name="apply"/> stores each entry and says whether it was newer.
    /// Returns true when this chunk completed the recovery (the last node's last chunk). Chunks of another round are
    /// ignored.
    /// </summary>
    public bool Accept(ShardCopy copy, Func<ReplicaEntry, bool> apply)
    {
        if (copy.RequestId != RequestId)
            return false;
        foreach (var entry in copy.Entries)
            if (apply(entry))
                RecoveredEntries++;
        if (copy.Entries.Count > 0)
            _holders.Add(copy.Replica);
        if (copy.PreviousPrimary.Length > 0)
            _previousPrimaries.Add(copy.PreviousPrimary);
        MaxEpochSeen = Math.Max(MaxEpochSeen, copy.MaxEpoch);
        return copy.IsLast && _pending.Remove(copy.Replica) && _pending.Count == 0;
    }

    /// <summary>Stops waiting for nodes that left the membership (their copy is gone); true if nothing is owed any more.</summary>
    public bool ForgetDeparted(IReadOnlyCollection<string> members) =>
        _pending.RemoveWhere(node => !members.Contains(node)) > 0 && _pending.Count == 0;

    /// <summary>Nodes other than <paramref name="self"/> and <paramref name="backups"/> that held a copy: stale copies to release.</summary>
    public IReadOnlyList<string> StaleHolders(string self, IReadOnlyCollection<string> backups) =>
        _holders.Where(holder => holder != self && !backups.Contains(holder)).ToList();

    /// <summary>
    /// Where the shard came from: the previous primaries that are no longer members (a failover), and, when there is
    /// none, the first previous primary that still is one (a move by rebalance or leave).
    /// </summary>
    public (IReadOnlyList<string> Gone, string? MovedFrom) Takeover(string self, IReadOnlyCollection<string> members)
    {
        var gone = _previousPrimaries.Where(p => p != self && !members.Contains(p)).Order(StringComparer.Ordinal).ToList();
        var movedFrom = _previousPrimaries.Where(p => p != self && members.Contains(p)).Order(StringComparer.Ordinal).FirstOrDefault();
        return (gone, gone.Count == 0 ? movedFrom : null);
    }

    /// <summary>Forgets the round (after the phase switch); the counters stay for logging.</summary>
    public void Finish()
    {
        _pending.Clear();
        _holders.Clear();
        _previousPrimaries.Clear();
    }
}
