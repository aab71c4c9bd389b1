using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// The client's picture of the cluster, merged from the data nodes' <see cref="NodeTopology"/> reports (data path
/// v2: the client is not a member, so it sees the cluster only through them) and from its own failure detection
/// (<see cref="MarkLost"/>, when remote DeathWatch reports a node's gateway terminated). Not thread-safe: the
/// ClientProxy actor owns it.
/// <para>Whom to believe. A report is <i>trusted</i> while its reporter is not lost, lists itself as a data node (a
/// leaving or removed node stops doing so, and then vouches for nobody), at most half of the other reports list it as
/// unreachable (a node that resumes from a pause sees everyone else unreachable for a moment, and everyone
/// else sees it so: the majority wins), and — once there are several reporters — another report lists it as a data
/// node. The last rule
/// keeps out a node the cluster has removed while it was frozen: it may send one more report when it resumes, before
/// it stops. The data nodes are those of the most recently received trusted report (gossip converges in about a
/// second; a report from a reporter that fell behind is replaced by its next one). A node is unreachable if any
/// trusted report says so, or if this client lost it.</para>
/// <para>Placement: each node reports only the shards that run on it, and is authoritative for them. A shard claimed
/// by two nodes (a hand-off in progress) goes to the newer claim; a shard nobody claims has no owner, and the client
/// sends it to any reachable node, whose shard region forwards it.</para>
/// </summary>
internal sealed class ClientTopology
{
    private readonly Dictionary<string, (NodeTopology Report, long Received)> _reports = new(StringComparer.Ordinal);
    private readonly HashSet<string> _lost = new(StringComparer.Ordinal);
    private readonly string?[] _owners;
    private long _received;

    public ClientTopology(int shards) => _owners = new string?[shards];

    /// <summary>Grows with every change, so what is derived from the topology can tell it is stale.</summary>
    public long Version { get; private set; }

    /// <summary>True once any node has reported.</summary>
    public bool HasReports => _reports.Count > 0;

    /// <summary>The data nodes (Up or Leaving), ordered.</summary>
    public IReadOnlyList<string> DataNodes { get; private set; } = [];

    /// <summary>The data nodes that are unreachable or lost.</summary>
    public IReadOnlySet<string> Unreachable { get; private set; } = new HashSet<string>();

    /// <summary>Every node that reported, trusted or not (registrations are renewed with each).</summary>
    public IEnumerable<string> Reporters => _reports.Keys;

    /// <summary>The node whose report claims <paramref name="shard"/> (reachable or not); null if none does.</summary>
    public string? OwnerOf(int shard) => (uint)shard < (uint)_owners.Length ? _owners[shard] : null;

    public bool IsReachable(string node) => !Unreachable.Contains(node) && DataNodes.Contains(node, StringComparer.Ordinal);

    /// <summary>Takes a node's report; false if it was not newer than the one already held.</summary>
    public bool Apply(NodeTopology report)
    {
        if (_reports.TryGetValue(report.Reporter, out var held) && held.Report.Version >= report.Version)
            return false;
        _reports[report.Reporter] = (report, ++_received);
        _lost.Remove(report.Reporter); // it speaks: a new incarnation, or it was never gone
        Recompute();
        return true;
    }

    /// <summary>This client's own failure detection lost <paramref name="node"/> (its gateway terminated).</summary>
    public void MarkLost(string node)
    {
        if (_lost.Add(node))
            Recompute();
    }

    private void Recompute()
    {
        var trusted = Trusted();
        var freshest = trusted.Count == 0 ? null : trusted.MaxBy(r => _reports[r.Reporter].Received);
        var dataNodes = freshest?.DataNodes.Order(StringComparer.Ordinal).ToArray() ?? [];
        // A report from a node that a newer trusted report no longer lists is history (the node left or was removed);
        // one received after the freshest trusted report may be from a node that just joined: it stays.
        if (freshest is not null)
        {
            var freshestReceived = _reports[freshest.Reporter].Received;
            foreach (var (reporter, (_, received)) in _reports.ToList())
            {
                if (received < freshestReceived && !dataNodes.Contains(reporter, StringComparer.Ordinal))
                    _reports.Remove(reporter);
            }
        }

        var unreachable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in trusted)
            unreachable.UnionWith(report.Unreachable);
        unreachable.UnionWith(_lost);
        unreachable.IntersectWith(dataNodes);

        Array.Clear(_owners);
        foreach (var (reporter, (report, _)) in _reports.OrderBy(r => r.Value.Received))
        {
            if (!dataNodes.Contains(reporter, StringComparer.Ordinal))
                continue;
            foreach (var shard in report.LocalShards)
            {
                if ((uint)shard < (uint)_owners.Length)
                    _owners[shard] = reporter; // later (newer) claims overwrite
            }
        }

        DataNodes = dataNodes;
        Unreachable = unreachable;
        Version++;
    }

    private List<NodeTopology> Trusted()
    {
        var live = _reports.Values.Select(r => r.Report).Where(r => !_lost.Contains(r.Reporter)).ToList();
        // A node that no longer lists itself is leaving or was removed: it neither counts nor vouches for others.
        var members = live.Where(r => r.DataNodes.Contains(r.Reporter, StringComparer.Ordinal)).ToList();
        var trusted = members.Where(r =>
        {
            var others = members.Where(o => o.Reporter != r.Reporter).ToList();
            var flaggedBy = others.Count(o => o.Unreachable.Contains(r.Reporter, StringComparer.Ordinal));
            var listed = others.Count == 0 || others.Any(o => o.DataNodes.Contains(r.Reporter, StringComparer.Ordinal));
            return listed && flaggedBy * 2 <= others.Count;
        }).ToList();
        // Nobody above suspicion (two nodes that each see the other unreachable): believe every live report.
        return trusted.Count > 0 ? trusted : live;
    }
}
