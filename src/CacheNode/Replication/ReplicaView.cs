using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Replication;

/// <summary>
/// This node's view of the data nodes and their reachability, shared by the EntryActors, the ReplicatorActor and the
/// ClusterEventsActor that maintains it: the current <see cref="ReplicaSets"/> (the replica set rule, the same one the
/// clients use) plus this node's address and a <see cref="Version"/> that changes with every update, so readers can
/// cache what they derive from it. Immutable snapshots behind a volatile reference: readers on any thread see a
/// consistent view.
/// </summary>
internal sealed class ReplicaView
{
    private volatile Snapshot _snapshot;

    public ReplicaView(string self, int virtualNodes, int replicationFactor)
    {
        Self = self;
        _snapshot = new Snapshot(0, ReplicaSets.Empty(virtualNodes, replicationFactor));
    }

    public string Self { get; }

    public int ReplicationFactor => _snapshot.Sets.ReplicationFactor;

    public int VirtualNodes => _snapshot.Sets.VirtualNodes;

    public long Version => _snapshot.Version;

    public IReadOnlyList<string> Members => _snapshot.Sets.Members;

    public bool IsReachable(string node) => !_snapshot.Sets.IsUnreachable(node);

    /// <inheritdoc cref="ReplicaSets.BackupsFor"/>
    public string[] BackupsFor(int shard, string primary) => _snapshot.Sets.BackupsFor(shard, primary);

    public void SetMembers(IEnumerable<string> members) => Update(s => s.WithMembers(members));

    public void MarkUnreachable(string node) => Update(s => s.WithUnreachable(node));

    public void MarkReachable(string node) => Update(s => s.WithReachable(node));

    private void Update(Func<ReplicaSets, ReplicaSets> change)
    {
        lock (this)
        {
            var current = _snapshot;
            _snapshot = new Snapshot(current.Version + 1, change(current.Sets));
        }
    }

    private sealed record Snapshot(long Version, ReplicaSets Sets);
}

/// <summary>Local event stream: the data nodes of the <see cref="ReplicaView"/> changed (a node joined, left or was removed).</summary>
internal sealed class ReplicaViewChanged
{
    public static readonly ReplicaViewChanged Instance = new();

    private ReplicaViewChanged()
    {
    }
}
