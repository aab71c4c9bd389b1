using System.Runtime.InteropServices;
using DistCacheAkka.ClientProxy;

namespace DistCacheAkka.Nemesis;

/// <summary>
/// The CacheNode processes of one run on loopback, all with one HOCON file, and the questions the run asks about
/// membership (through a client's view of the cluster: the topology the nodes report to it). Disposing kills every process still running, also after a
/// failure, and deletes the file; so do SIGINT and SIGTERM of the process running the nemesis (Ctrl+C of the bench).
/// </summary>
internal sealed class NemesisCluster : IDisposable
{
    public const string DataRole = "cache";
    private readonly string _config;
    private readonly List<NodeProcess> _all = [];
    private readonly HashSet<NodeProcess> _gone = [];
    private readonly PosixSignalRegistration[] _signals;

    public NemesisCluster(string hocon)
    {
        _config = Path.Combine(Path.GetTempPath(), $"distcache-nemesis-{Guid.NewGuid():N}.conf");
        File.WriteAllText(_config, hocon);
        // Not cancelled: the process still stops, but never leaves its nodes behind.
        _signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Dispose()), PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Dispose())];
    }

    /// <summary>Processes not yet killed, stopped or downed by the run.</summary>
    public IReadOnlyList<NodeProcess> Live => _all.Where(p => !_gone.Contains(p)).ToList();

    public IReadOnlyList<NodeProcess> All => _all;

    public NodeProcess Start(int? seedPort)
    {
        lock (_all)
        {
            var started = NodeProcess.StartNode(seedPort is null ? "seed" : "worker", seedPort, _config);
            _all.Add(started);
            return started;
        }
    }

    public void MarkGone(NodeProcess process) => _gone.Add(process);

    public static async Task<int> DataNodesUpAsync(IClientProxyAccess view) =>
        (await view.GetTopologyAsync()).DataNodes.Count;

    public static async Task<bool> IsMemberAsync(IClientProxyAccess view, NodeProcess process) =>
        (await view.GetTopologyAsync()).DataNodes.Any(a => a.EndsWith($":{process.Port}", StringComparison.Ordinal));

    public static async Task<bool> IsHealthyAsync(IClientProxyAccess view, int dataNodes)
    {
        var topology = await view.GetTopologyAsync();
        return topology.DataNodes.Count == dataNodes && topology.Unreachable.Count == 0;
    }

    public void Dispose()
    {
        lock (_all)
        {
            foreach (var process in _all)
                process.Dispose();
            File.Delete(_config);
        }

        foreach (var signal in _signals)
            signal.Dispose();
    }
}
