using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using DistCacheAkka.CacheNode.Demo;

namespace DistCacheAkka.Nemesis;

/// <summary>
/// A real CacheNode OS process on loopback, started from the build output next to the tests. Disposing kills it
/// (SIGKILL) if it still runs, so a failing test leaves nothing behind.
/// </summary>
public sealed partial class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, int port, int managementPort)
    {
        _process = process;
        Port = port;
        ManagementPort = managementPort;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>The management endpoint's port (0 when the test passed its own flags).</summary>
    public int ManagementPort { get; }

    public string ManagementEndpoint => $"127.0.0.1:{ManagementPort}";

    public string Endpoint => $"127.0.0.1:{Port}";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>A free port below the ephemeral range (<see cref="LoopbackPorts"/>: outgoing connections cannot take it
    /// while the node starts).</summary>
    public static int FreePort() => LoopbackPorts.Free();

    /// <summary>Starts `CacheNode args...`; <paramref name="port"/> is only recorded (pass --port yourself).</summary>
    public static NodeProcess Start(int port, params string[] args) => Start(port, 0, args);

    private static NodeProcess Start(int port, int managementPort, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "DistCacheAkka.CacheNode.dll");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return new NodeProcess(Process.Start(info)!, port, managementPort);
    }

    /// <summary>Starts a node with a free port and management port; <paramref name="environment"/> adds variables
    /// (e.g. DOTNET_GCHeapHardLimit, what a container memory limit amounts to).</summary>
    public static NodeProcess StartNode(string role, int? seedPort, string? configFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var managementPort = FreePort();
        var args = new List<string> { "--role", role, "--port", port.ToString(), "--mgmt-port", managementPort.ToString() };
        if (seedPort is { } seed)
            args.AddRange(["--seed", $"127.0.0.1:{seed}"]);
        if (configFile is not null)
            args.AddRange(["--config", configFile]);
        return Start(port, managementPort, args.ToArray(), environment);
    }

    public async Task WaitListeningAsync(TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"CacheNode on port {Port} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM: what a process supervisor sends to stop a node gracefully.</summary>
    public void Terminate() => _ = Kill(_process.Id, 15);

    /// <summary>SIGSTOP: the node freezes (like a long GC pause); the kernel still accepts its TCP traffic.</summary>
    public void Pause() => _ = Kill(_process.Id, 19);

    /// <summary>SIGCONT: a paused node runs on.</summary>
    public void Resume() => _ = Kill(_process.Id, 18);

    /// <summary>SIGKILL: the node dies on the spot.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Resume(); // a paused process dies on SIGKILL too, but resuming first keeps its output flushing
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
