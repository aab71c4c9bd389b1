using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// Real CacheNode processes of one test, all started with the same HOCON file. Disposing kills every process that
/// still runs — also when the test failed — writes each node's output to the test log, and deletes the file.
/// </summary>
public sealed class NodeProcessGroup : IDisposable
{
    private readonly string _config;
    private readonly ITestOutputHelper _output;
    private readonly List<NodeProcess> _processes = [];
    private readonly IReadOnlyDictionary<string, string>? _environment;

    public NodeProcessGroup(string hocon, ITestOutputHelper output, IReadOnlyDictionary<string, string>? environment = null)
    {
        _output = output;
        _environment = environment;
        _config = Path.Combine(Path.GetTempPath(), $"distcache-test-{Guid.NewGuid():N}.conf");
        File.WriteAllText(_config, hocon);
    }

    /// <summary>Starts a node with <c>--role</c>, a free port, the group's config, environment and the seed (none for a seed).</summary>
    public NodeProcess Start(string role, int? seedPort)
    {
        var process = NodeProcess.StartNode(role, seedPort, _config, _environment);
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            _output.WriteLine($"---- node on port {process.Port} (exited: {process.HasExited}) ----\n{process.Output}");
            process.Dispose();
        }

        File.Delete(_config);
    }
}
