using System.Collections.Immutable;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// The client's view of the data nodes (members with the data role that are Up or Leaving, as the nodes' own replica
/// views count them) and which of them are unreachable. Written only by the ClientProxy actor (from its <see cref="ClientTopology"/>), read by the
/// ClientProxy actor and its backup reads: one immutable snapshot behind a volatile reference.
/// A shard's backups are the next R-1 distinct data nodes of its ring preference order after its primary — the same
/// rule, over the same members, as the nodes' replica view, so the client finds the copies the primary wrote to.
/// </summary>
internal sealed class DataNodeView(int virtualNodes, int replicationFactor)
{
    private volatile Snapshot _snapshot = new(0, new HashRing<string>([], virtualNodes), ImmutableHashSet<string>.Empty);

    /// <summary>Changes with every update, so what is derived from one view (shard locations) can be dropped after.</summary>
    public long Version => _snapshot.Version;

    /// <summary>True while some data node is unreachable (not yet downed): reads may need the backups.</summary>
    public bool HasUnreachable => !_snapshot.Unreachable.IsEmpty;

    public bool IsUnreachable(string node) => _snapshot.Unreachable.Contains(node);

    public IReadOnlyList<string> Members => _snapshot.Ring.Nodes;

    public int ReplicationFactor => replicationFactor;

    /// <summary>The backups of <paramref name="shard"/> whose primary is <paramref name="primary"/>, in ring order.</summary>
    public IReadOnlyList<string> BackupsFor(int shard, string primary) =>
        _snapshot.Ring.PreferenceOrder(HashRing<string>.ShardPosition(shard))
            .Where(node => node != primary)
            .Take(replicationFactor - 1)
            .ToList();

    public void Update(IEnumerable<string> members, IEnumerable<string> unreachable)
    {
        var ring = new HashRing<string>(members, virtualNodes);
        _snapshot = new Snapshot(_snapshot.Version + 1, ring, unreachable.Where(ring.Nodes.Contains).ToImmutableHashSet(StringComparer.Ordinal));
    }

    private sealed record Snapshot(long Version, HashRing<string> Ring, ImmutableHashSet<string> Unreachable);
}
