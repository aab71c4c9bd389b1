using Akka.Actor;
using Akka.Configuration;
using DistCacheAkka.Messages;

namespace DistCacheAkka.LoadTest;

/// <summary>
/// The raw Akka.NET floor: a request/reply round trip between two ActorSystems over real TCP on loopback (the echo
/// node is another process), carrying a byte[] of the value size each way with Akka's own bytes serializer. A "Get"
/// and a "Set" are both one Ask of the echo actor.
/// </summary>
internal sealed class EchoTarget(ActorSystem system, IActorRef echo, byte[] payload) : ILoadTarget
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public string Name => "raw Akka echo";

    public static async Task<EchoTarget> ConnectAsync(string endpoint, int payloadSize)
    {
        var system = ActorSystem.Create("echo-client", RemoteConfig("127.0.0.1", 0));
        try
        {
            var echo = await system.ActorSelection($"akka.tcp://echo@{endpoint}/user/echo").ResolveOne(TimeSpan.FromSeconds(30));
            return new EchoTarget(system, echo, new byte[payloadSize]);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>Runs the echo node until the process is stopped (SIGTERM / Ctrl+C) or stdin closes.</summary>
    public static async Task<int> ServeAsync(int port)
    {
        var system = ActorSystem.Create("echo", RemoteConfig("127.0.0.1", port));
        system.ActorOf(Props.Create<EchoActor>(), "echo");
        Console.WriteLine($"echo-server listening on 127.0.0.1:{port}");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await system.Terminate();
        return 0;
    }

    public Task PreloadAsync(IReadOnlyList<string> keys, byte[] value) => Task.CompletedTask;

    public Task GetAsync(string key, ConsistencyLevel level) => echo.Ask<byte[]>(payload, AskTimeout);

    public Task SetAsync(string key, byte[] value, ConsistencyLevel level) => echo.Ask<byte[]>(value, AskTimeout);

    public async ValueTask DisposeAsync() => await system.Terminate();

    // The same transport settings as the cache's client and nodes (buffers, frame size); the rest is Akka's default.
    private static Config RemoteConfig(string host, int port) => ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = ERROR
          stdout-loglevel = ERROR
          actor.provider = remote
          remote.dot-netty.tcp {
            hostname = "{{host}}"
            port = {{port}}
            maximum-frame-size = 2MiB
            send-buffer-size = 2MiB
            receive-buffer-size = 2MiB
          }
        }
        """);

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message));
    }
}
