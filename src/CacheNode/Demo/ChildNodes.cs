using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DistCacheAkka.CacheNode.Demo;

/// <summary>
/// CacheNode child processes started by the demo on loopback. Every process is killed on Dispose, which the demo
/// reaches on success, failure and Ctrl+C; their output goes to log files in a temporary folder.
/// </summary>
internal sealed class ChildNodes : IDisposable
{
    private readonly List<ChildNode> _children = [];
    private readonly List<StreamWriter> _logs = [];
    private readonly string _configFile;

    public ChildNodes(string demoHocon)
    {
        LogDirectory = Directory.CreateTempSubdirectory("distcache-demo-").FullName;
        _configFile = Path.Combine(LogDirectory, "demo.conf");
        File.WriteAllText(_configFile, demoHocon);
    }

    public string LogDirectory { get; }

    public IReadOnlyList<ChildNode> Children => _children;

    public ChildNode Start(string name, string role, int? seedPort)
    {
        var port = LoopbackPorts.Free();
        var managementPort = LoopbackPorts.Free();
        var args = new List<string>
        {
            "--role", role, "--host", "127.0.0.1", "--port", port.ToString(), "--mgmt-port", managementPort.ToString(), "--config", _configFile,
        };
        if (seedPort is { } seed)
            args.AddRange(["--seed", $"127.0.0.1:{seed}"]);

        var (fileName, prefix) = SelfCommand();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(args))
            info.ArgumentList.Add(arg);

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var log = new StreamWriter(Path.Combine(LogDirectory, name + ".log")) { AutoFlush = true };
        _logs.Add(log);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildNode(name, process, port, managementPort);
        _children.Add(child);
        return child;
    }

    /// <summary>Waits until a child accepts TCP connections on its port (its remoting is up).</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan deadline, CancellationToken ct)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, ct);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>SIGKILL: the node gets no chance to hand anything off.</summary>
    public void Kill(string name)
    {
        var child = _children.Single(c => c.Name == name);
        child.Process.Kill(entireProcessTree: true);
        child.Process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        foreach (var (_, process, _, _) in _children)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            process.Dispose();
        }

        _children.Clear();
        foreach (var log in _logs)
            lock (log)
                log.Dispose();
        _logs.Clear();
    }

    /// <summary>Deletes the logs (after a run whose checks all passed).</summary>
    public void DeleteLogs()
    {
        try
        {
            Directory.Delete(LogDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }

    /// <summary>How to start this same program: the apphost directly, or `dotnet CacheNode.dll` when run through dotnet.</summary>
    private static (string FileName, string[] Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell how this process was started.");
        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost
            ? (processPath, [typeof(ChildNodes).Assembly.Location])
            : (processPath, []);
    }
}

/// <summary>A CacheNode child process: its remoting port and its management endpoint's port, both on 127.0.0.1.</summary>
internal sealed record ChildNode(string Name, Process Process, int Port, int ManagementPort);
