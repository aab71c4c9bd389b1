using System.Collections.Immutable;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Replication;

/// <summary>
/// This node's view of the data nodes (Up members with the data role) and their reachability, shared by the
/// EntryActors, the ReplicatorActor and the ClusterEventsActor that maintains it. Immutable snapshots behind a
/// volatile reference: readers on any thread see a consistent view; <see cref="Version"/> changes with every update
/// so readers can cache what they derive from it.
/// A shard's replica set is its primary plus the next R-1 distinct nodes of the shard's ring preference order.
/// Unreachable nodes stay in replica sets (as DData's WriteAll counts unreachable members): a write that needs them
/// fails until they are reachable again or removed.
/// </summary>
internal sealed class ReplicaView
{
    private volatile Snapshot _snapshot;

    public ReplicaView(string self, int virtualNodes, int replicationFactor)
    {
        Self = self;
        ReplicationFactor = replicationFactor;
        VirtualNodes = virtualNodes;
        _snapshot = new Snapshot(0, new HashRing<string>([], virtualNodes), ImmutableHashSet<string>.Empty);
    }

    public string Self { get; }

    public int ReplicationFactor { get; }

    public int VirtualNodes { get; }

    public long Version => _snapshot.Version;

    public IReadOnlyList<string> Members => _snapshot.Ring.Nodes;

    public bool IsReachable(string node) => !_snapshot.Unreachable.Contains(node);

    /// <summary>The backups of a shard whose primary is <paramref name="primary"/>: up to R-1 other data nodes in ring order.</summary>
    public string[] BackupsFor(int shard, string primary)
    {
        var snapshot = _snapshot;
        var order = snapshot.Ring.PreferenceOrder(HashRing<string>.ShardPosition(shard));
        var backups = new List<string>(ReplicationFactor - 1);
        foreach (var node in order)
        {
            if (backups.Count == ReplicationFactor - 1)
                break;
            if (node != primary)
                backups.Add(node);
        }

        return backups.ToArray();
    }

    public void SetMembers(IEnumerable<string> members) => Update(s => s with
    {
        Ring = new HashRing<string>(members, VirtualNodes),
        Unreachable = s.Unreachable.Intersect(members),
    });

    public void MarkUnreachable(string node) => Update(s => s with { Unreachable = s.Unreachable.Add(node) });

    public void MarkReachable(string node) => Update(s => s with { Unreachable = s.Unreachable.Remove(node) });

    private void Update(Func<Snapshot, Snapshot> change)
    {
        lock (this)
        {
            var next = change(_snapshot);
            _snapshot = next with { Version = _snapshot.Version + 1 };
        }
    }

    private sealed record Snapshot(long Version, HashRing<string> Ring, ImmutableHashSet<string> Unreachable);
}

/// <summary>Local event stream: the data nodes of the <see cref="ReplicaView"/> changed (a node joined, left or was removed).</summary>
internal sealed class ReplicaViewChanged
{
    public static readonly ReplicaViewChanged Instance = new();

    private ReplicaViewChanged()
    {
    }
}
