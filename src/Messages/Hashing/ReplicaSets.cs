using System.Collections.Immutable;
using Akka.Cluster;

namespace DistCacheAkka.Messages.Hashing;

/// <summary>
/// Where every shard's copies live, for one membership: the data nodes (members with the data role that are Up or
/// Leaving — a leaving node still serves its copies while it hands its shards off), their placement ring, and which
/// of them are unreachable. A shard's replica set is its primary plus its backups, the next R-1 distinct data nodes
/// of the shard's ring preference order after the primary.
/// <para>The one home of this rule for both sides: the node's replica view (where a primary writes its copies) and
/// the client's data node view (where a client reads them when the primary is unreachable) each hold one of these,
/// so a client that knows the same members finds the copies the primary wrote to.</para>
/// <para>Immutable: every change returns a new value, so one can be shared across threads behind a volatile
/// reference. Deterministic: the same members give the same sets on every process, whatever their order.</para>
/// <para>Not guaranteed: that two processes hold the same members at the same moment (each learns of changes on its
/// own schedule), nor that a backup already holds a shard's copy (a new backup is filled after it joins).
/// Unreachable nodes stay in the replica sets (as DData's WriteAll counts unreachable members): a write that needs
/// them fails until they are reachable again or removed.</para>
/// </summary>
public sealed class ReplicaSets
{
    private readonly HashRing<string> _ring;
    private readonly ImmutableHashSet<string> _unreachable;

    private ReplicaSets(HashRing<string> ring, ImmutableHashSet<string> unreachable, int replicationFactor)
    {
        _ring = ring;
        _unreachable = unreachable;
        ReplicationFactor = replicationFactor;
    }

    /// <summary>Replicas per shard, primary included (distcache.replication-factor).</summary>
    public int ReplicationFactor { get; }

    /// <summary>Positions of each data node on the ring (distcache.virtual-nodes).</summary>
    public int VirtualNodes => _ring.VirtualNodes;

    /// <summary>The data nodes, ordered by name (ordinal).</summary>
    public IReadOnlyList<string> Members => _ring.Nodes;

    /// <summary>True while some node is marked unreachable (not yet downed).</summary>
    public bool HasUnreachable => !_unreachable.IsEmpty;

    /// <summary>No data nodes, nothing unreachable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is zero or negative.</exception>
    public static ReplicaSets Empty(int virtualNodes, int replicationFactor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicationFactor);
        return new ReplicaSets(new HashRing<string>([], virtualNodes), ImmutableHashSet.Create<string>(StringComparer.Ordinal), replicationFactor);
    }

    /// <summary>
    /// The sets over <paramref name="members"/>, with those of <paramref name="unreachable"/> that are members
    /// marked unreachable (a node that is not a data node has no copies to lose).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is zero or negative.</exception>
    public static ReplicaSets Of(IEnumerable<string> members, IEnumerable<string> unreachable, int virtualNodes, int replicationFactor) =>
        Empty(virtualNodes, replicationFactor).WithMembers(members, unreachable);

    /// <summary>Whether <paramref name="member"/> holds copies: a member with <paramref name="dataRole"/> that is Up or Leaving.</summary>
    public static bool IsDataNode(Member member, string dataRole) =>
        member.HasRole(dataRole) && member.Status is MemberStatus.Up or MemberStatus.Leaving;

    public bool IsUnreachable(string node) => _unreachable.Contains(node);

    /// <summary>
    /// The backups of <paramref name="shard"/> when <paramref name="primary"/> is its primary: the first R-1 data
    /// nodes other than the primary in the shard's ring preference order (fewer when there are fewer other nodes).
    /// The primary need not be a member (a shard may still run on a node that just left): then the backups are the
    /// first R-1 members.
    /// </summary>
    public string[] BackupsFor(int shard, string primary)
    {
        var wanted = ReplicationFactor - 1;
        if (wanted == 0)
            return [];
        var order = _ring.PreferenceOrder(HashRing<string>.ShardPosition(shard));
        var backups = new List<string>(wanted);
        foreach (var node in order)
        {
            if (backups.Count == wanted)
                break;
            if (node != primary)
                backups.Add(node);
        }

        return backups.ToArray();
    }

    /// <summary>These sets over new members; a node that is no longer a member loses its unreachable mark.</summary>
    public ReplicaSets WithMembers(IEnumerable<string> members) => WithMembers(members, _unreachable);

    /// <summary>These sets over new members, with those of <paramref name="unreachable"/> that are members marked
    /// unreachable (the marks held so far are replaced).</summary>
    public ReplicaSets WithMembers(IEnumerable<string> members, IEnumerable<string> unreachable)
    {
        // Most calls (a client applying each node's topology report) repeat the members: keep the ring then, whose
        // construction (N x virtual-nodes positions, sorted) dominated a client's report handling.
        var distinct = members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ring = distinct.SequenceEqual(_ring.Nodes, StringComparer.Ordinal) ? _ring : new HashRing<string>(distinct, _ring.VirtualNodes);
        var marked = unreachable.Where(ring.Nodes.Contains).ToImmutableHashSet(StringComparer.Ordinal);
        return new ReplicaSets(ring, marked, ReplicationFactor);
    }

    /// <summary>
    /// Marks <paramref name="node"/> unreachable. It may not be a data node yet (the failure detector can report a
    /// member before it is Up): the mark is kept until the members are next set without it.
    /// </summary>
    public ReplicaSets WithUnreachable(string node) => new(_ring, _unreachable.Add(node), ReplicationFactor);

    public ReplicaSets WithReachable(string node) => new(_ring, _unreachable.Remove(node), ReplicationFactor);
}
