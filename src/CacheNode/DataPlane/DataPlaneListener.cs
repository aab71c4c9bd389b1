using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Gateway;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.DataPlane;

/// <summary>
/// The node's data plane: a TCP listener whose connections carry clients' <see cref="CoalescedRequests"/> to the
/// request gateway and its <see cref="CoalescedReplies"/> back, bypassing Akka remoting (README, "The data plane").
/// Each accepted connection gets a <see cref="DataPlaneRef"/> that is the Sender of its requests, so the gateway
/// keeps one outbox per connection exactly as per remote client, and its replies become frames on that connection.
/// A connection that sends an invalid or undecodable frame is closed with a warning naming the problem; nothing
/// here can stop the node. Closing a connection stops its ref: replies still on their way are dropped (the client's
/// timeouts report those commands, as for a lost remote message).
/// With the direct path (<see cref="DirectPath"/>), the read loop tells the commands whose shard runs here straight to
/// their EntryActors and only the rest to the gateway (<see cref="DirectCommands"/>); a timer forgets, once a second,
/// direct commands whose envelope's timeout passed unanswered.
/// </summary>
internal sealed class DataPlaneListener : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IActorRef _gateway;
    private readonly ActorSystem _system;
    private readonly DataPlaneSerializer _serializer;
    private readonly ILoggingAdapter _log;
    private readonly int _limit;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<DataPlaneConnection, DirectCommands?> _connections = new();
    private readonly DirectPath? _directPath;
    private readonly Timer? _expiry;
    private long _accepted;
    private long _frames;
    private long _commands;
    private long _direct;

    private DataPlaneListener(TcpListener listener, ActorSystem system, IActorRef gateway, int limit, DirectPath? direct)
    {
        _listener = listener;
        _system = system;
        _gateway = gateway;
        _limit = limit;
        _directPath = direct;
        _serializer = new DataPlaneSerializer(system);
        _log = Logging.GetLogger(system, typeof(DataPlaneListener));
        if (direct is not null)
            _expiry = new Timer(_ => ExpireDirectCommands(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted since the start (for tests and diagnostics).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Request envelopes received over the data plane.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Commands in those envelopes.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    public int OpenConnections
    {
        get
        {
            lock (_connections)
                return _connections.Count;
        }
    }

    /// <summary>Commands told to their EntryActors directly (the rest went through the gateway).</summary>
    public long Direct => Interlocked.Read(ref _direct);

    /// <summary>Commands told to EntryActors directly and not answered yet, over all connections.</summary>
    public int DirectInFlight
    {
        get
        {
            lock (_connections)
                return _connections.Values.Sum(d => d?.InFlight ?? 0);
        }
    }

    /// <summary>Listens on the configured host and port and serves <paramref name="gateway"/>; null (logged) when the
    /// data plane is off or the port cannot be bound: clients then use remoting. With <paramref name="direct"/> and
    /// <see cref="DataPlaneSettings.Direct"/>, commands for local shards skip the gateway.</summary>
    public static DataPlaneListener? Start(ActorSystem system, IActorRef gateway, DataPlaneSettings settings, DirectPath? direct = null)
    {
        var log = Logging.GetLogger(system, typeof(DataPlaneListener));
        if (!settings.Enabled)
        {
            log.Info("Data plane off: {0}.", settings.DisabledBecause);
            return null;
        }

        TcpListener listener;
        try
        {
            var address = IPAddress.TryParse(settings.Host, out var ip) ? ip : Dns.GetHostAddresses(settings.Host)[0];
            listener = new TcpListener(address, settings.Port);
            listener.Start();
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IndexOutOfRangeException)
        {
            log.Warning("Data plane off: cannot listen on {0}:{1} ({2}); clients use remoting.", settings.Host, settings.Port, e.Message);
            return null;
        }

        var dataPlane = new DataPlaneListener(listener, system, gateway, settings.FrameLimit, settings.Direct ? direct : null);
        _ = Task.Run(dataPlane.AcceptLoopAsync);
        log.Info("Data plane listening on {0}:{1}.", settings.Host, dataPlane.Port);
        return dataPlane;
    }

    /// <summary>Closes every open connection (clients fall back to remoting and reconnect); the listener stays.</summary>
    public void CloseConnections()
    {
        List<DataPlaneConnection> open;
        lock (_connections)
            open = _connections.Keys.ToList();
        foreach (var connection in open)
            connection.Close("closed by the node");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _expiry?.Dispose();
        _listener.Stop();
        CloseConnections();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Warning("Data plane: accepting a connection failed ({0}).", e.Message);
                continue;
            }

            Accept(socket);
        }
    }

    private void Accept(Socket socket)
    {
        socket.NoDelay = true;
        var peer = socket.RemoteEndPoint?.ToString() ?? "?";
        DataPlaneConnection? connection = null;
        DirectCommands? direct = null;
        var replyTo = DataPlaneRef.Create(_system, message =>
        {
            // Dropped once closed: the client's timeouts report those commands.
            if (message is CoalescedReplies replies)
                connection!.Send(replies);
            else if (message is RoutedReply routed)
                direct?.Complete(routed);
        });
        connection = new DataPlaneConnection(new NetworkStream(socket, ownsSocket: true), _limit, expectPreamble: true,
            payload => Serve(payload, replyTo, direct),
            problem =>
            {
                replyTo.Stop();
                lock (_connections)
                    _connections.Remove(connection!);
                if (problem is not null && !_stop.IsCancellationRequested)
                    _log.Warning("Data plane: closed the connection from {0}: {1}.", peer, problem);
            },
            _serializer.Encode,
            (message, problem) => _log.Warning("Data plane: dropped {0} replies for {1}: {2} (the client's timeouts report them).",
                ((CoalescedReplies)message).Replies.Count, peer, problem));
        if (_directPath is not null)
            direct = new DirectCommands(connection.Send, _directPath.Telemetry);
        lock (_connections)
            _connections[connection] = direct;
        Interlocked.Increment(ref _accepted);
        connection.Start(sendPreamble: false);
    }

    /// <summary>Called on a connection's read loop; a frame that does not decode throws, which closes the connection.</summary>
    private void Serve(byte[] payload, DataPlaneRef replyTo, DirectCommands? direct)
    {
        var requests = _serializer.DecodeRequests(payload);
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _commands, requests.Commands.Count);
        var rest = direct is null ? requests : direct.Route(requests, _directPath!.Local, _directPath.Resolver, replyTo, RequestGatewayActor.MaxTimeout);
        if (rest is not null)
            _gateway.Tell(rest, replyTo);
        if (!ReferenceEquals(rest, requests))
            Interlocked.Add(ref _direct, requests.Commands.Count - (rest?.Commands.Count ?? 0));
    }

    private void ExpireDirectCommands()
    {
        List<DirectCommands> open;
        lock (_connections)
            open = _connections.Values.OfType<DirectCommands>().ToList();
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var direct in open)
            direct.Expire(now);
    }
}

/// <summary>What the direct path needs from the node: its running EntryActors, the key → shard mapping, and where
/// requests are measured.</summary>
internal sealed record DirectPath(LocalShards Local, ShardResolver Resolver, NodeTelemetry Telemetry);
