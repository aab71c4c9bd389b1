using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// The client's view of the data nodes and which of them are unreachable: the current <see cref="ReplicaSets"/> (the
/// replica set rule, the same one the nodes use, so the client finds the copies the primary wrote to) and a
/// <see cref="Version"/>. Written only by the ClientProxy actor (from its <see cref="ClientTopology"/>), read by the
/// ClientProxy actor and its backup reads: one immutable snapshot behind a volatile reference.
/// </summary>
internal sealed class DataNodeView(int virtualNodes, int replicationFactor)
{
    private volatile Snapshot _snapshot = new(0, ReplicaSets.Empty(virtualNodes, replicationFactor));

    /// <summary>Changes with every update, so what is derived from one view (shard locations) can be dropped after.</summary>
    public long Version => _snapshot.Version;

    /// <summary>True while some data node is unreachable (not yet downed): reads may need the backups.</summary>
    public bool HasUnreachable => _snapshot.Sets.HasUnreachable;

    public bool IsUnreachable(string node) => _snapshot.Sets.IsUnreachable(node);

    public IReadOnlyList<string> Members => _snapshot.Sets.Members;

    public int ReplicationFactor => _snapshot.Sets.ReplicationFactor;

    /// <inheritdoc cref="ReplicaSets.BackupsFor"/>
    public IReadOnlyList<string> BackupsFor(int shard, string primary) => _snapshot.Sets.BackupsFor(shard, primary);

    /// <summary>Replaces the view: the data nodes of the topology and those of them that are unreachable.</summary>
    public void Update(IEnumerable<string> members, IEnumerable<string> unreachable)
    {
        var current = _snapshot;
        _snapshot = new Snapshot(current.Version + 1, current.Sets.WithMembers(members, unreachable));
    }

    private sealed record Snapshot(long Version, ReplicaSets Sets);
}
