using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Akka.Event;
using DistCacheAkka.ClientProxy.Security;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;

namespace DistCacheAkka.CacheNode.DataPlane;

/// <summary>
/// The node's data plane: a TCP listener whose connections carry clients' <see cref="CoalescedRequests"/> to the
/// request gateway and its <see cref="CoalescedReplies"/> back, bypassing Akka remoting (README, "The data plane").
/// Each accepted connection gets a <see cref="DataPlaneRef"/> that is the Sender of its requests, so the gateway
/// keeps one outbox per connection exactly as per remote client, and its replies become frames on that connection.
/// A connection that sends an invalid or undecodable frame is closed with a warning naming the problem; nothing
/// here can stop the node. Closing a connection stops its ref: replies still on their way are dropped (the client's
/// timeouts report those commands, as for a lost remote message). With TLS (<see cref="DataPlaneSettings.Tls"/>) every
/// connection first completes a mutual-TLS handshake (the client's certificate must chain to the cluster's CA) within
/// <see cref="HandshakeTimeout"/>, off the accept loop; a refused or silent client is logged and closed.
/// </summary>
internal sealed class DataPlaneListener : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IActorRef _gateway;
    private readonly ActorSystem _system;
    private readonly DataPlaneSerializer _serializer;
    private readonly ILoggingAdapter _log;
    private readonly int _limit;
    private readonly TlsMaterial? _tls;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<DataPlaneConnection, DataPlaneRef> _connections = new();
    private long _accepted;
    private long _frames;
    private long _commands;

    /// <summary>How long a client has to complete the TLS handshake.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private DataPlaneListener(TcpListener listener, ActorSystem system, IActorRef gateway, int limit, TlsMaterial? tls)
    {
        _tls = tls;
        _listener = listener;
        _system = system;
        _gateway = gateway;
        _limit = limit;
        _serializer = new DataPlaneSerializer(system);
        _log = Logging.GetLogger(system, typeof(DataPlaneListener));
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

    /// <summary>Listens on the configured host and port and serves <paramref name="gateway"/>; null (logged) when the
    /// data plane is off or the port cannot be bound: clients then use remoting.</summary>
    public static DataPlaneListener? Start(ActorSystem system, IActorRef gateway, DataPlaneSettings settings)
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

        var dataPlane = new DataPlaneListener(listener, system, gateway, settings.FrameLimit, settings.Tls);
        _ = Task.Run(dataPlane.AcceptLoopAsync);
        log.Info("Data plane listening on {0}:{1}{2}.", settings.Host, dataPlane.Port, settings.Tls is null ? "" : " (mutual TLS)");
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

            socket.NoDelay = true;
            if (_tls is null)
                Accept(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint?.ToString() ?? "?");
            else
                _ = HandshakeAsync(socket, _tls);
        }
    }

    private async Task HandshakeAsync(Socket socket, TlsMaterial tls)
    {
        var peer = socket.RemoteEndPoint?.ToString() ?? "?";
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        string? refused = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(HandshakeTimeout);
            await stream.AuthenticateAsServerAsync(tls.ServerOptions(why => refused = why), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_stop.IsCancellationRequested)
                _log.Warning("Data plane: refused the connection from {0}: TLS handshake failed ({1}).", peer,
                    refused ?? (e is OperationCanceledException ? $"not completed within {HandshakeTimeout.TotalSeconds:0} s" : e.Message));
            return;
        }

        _log.Info("Data plane: {0} connected over mutual TLS with certificate \"{1}\".", peer, stream.RemoteCertificate?.Subject);
        Accept(stream, peer);
    }

    private void Accept(Stream stream, string peer)
    {
        DataPlaneConnection? connection = null;
        var replyTo = DataPlaneRef.Create(_system, message =>
        {
            if (message is CoalescedReplies replies)
                connection!.Send(replies); // dropped once closed: the client's timeouts report those commands
        });
        connection = new DataPlaneConnection(stream, _limit, expectPreamble: true,
            payload => Serve(payload, replyTo),
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
        lock (_connections)
            _connections[connection] = replyTo;
        Interlocked.Increment(ref _accepted);
        connection.Start(sendPreamble: false);
    }

    /// <summary>Called on a connection's read loop; a frame that does not decode throws, which closes the connection.</summary>
    private void Serve(byte[] payload, DataPlaneRef replyTo)
    {
        var requests = _serializer.DecodeRequests(payload);
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _commands, requests.Commands.Count);
        _gateway.Tell(requests, replyTo);
    }
}
