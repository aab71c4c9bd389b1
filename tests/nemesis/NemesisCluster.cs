using Akka.Cluster;

namespace DistCacheAkka.Nemesis;

/// <summary>
/// The CacheNode processes of one run on loopback, all with one HOCON file, and the questions the run asks about
/// membership (through a client's view of the cluster). Disposing kills every process still running, also after a
/// failure, and deletes the file.
/// </summary>
internal sealed class NemesisCluster : IDisposable
{
    public const string DataRole = "cache";
    private readonly string _config;
    private readonly List<NodeProcess> _all = [];
    private readonly HashSet<NodeProcess> _gone = [];

    public NemesisCluster(string hocon)
    {
        _config = Path.Combine(Path.GetTempPath(), $"distcache-nemesis-{Guid.NewGuid():N}.conf");
        File.WriteAllText(_config, hocon);
    }

    /// <summary>Processes not yet killed, stopped or downed by the run.</summary>
    public IReadOnlyList<NodeProcess> Live => _all.Where(p => !_gone.Contains(p)).ToList();

    public IReadOnlyList<NodeProcess> All => _all;

    public NodeProcess Start(int? seedPort)
    {
        var process = NodeProcess.StartNode(seedPort is null ? "seed" : "worker", seedPort, _config);
        _all.Add(process);
        return process;
    }

    public void MarkGone(NodeProcess process) => _gone.Add(process);

    public static int DataNodesUp(Cluster view) =>
        view.State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(DataRole));

    public static bool IsMember(Cluster view, NodeProcess process) =>
        view.State.Members.Any(m => m.Address.Port == process.Port);

    public static bool IsHealthy(Cluster view, int dataNodes) =>
        DataNodesUp(view) == dataNodes && view.State.Unreachable.IsEmpty
        && view.State.Members.All(m => m.Status == MemberStatus.Up);

    public void Dispose()
    {
        foreach (var process in _all)
            process.Dispose();
        File.Delete(_config);
    }
}
