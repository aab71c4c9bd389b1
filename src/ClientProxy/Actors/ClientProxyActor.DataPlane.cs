using System.Net.Security;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;

namespace DistCacheAkka.ClientProxy.Actors;

// The data plane (README, "The data plane"). A node whose report advertises a data port gets one TCP connection,
// opened off the actor thread; once it is open, the node's entry in the coalescing map is a DataPlaneRef standing for
// it: the envelopes told to it become frames, and the replies read from the socket reach this actor with that ref as
// Sender, so coalescing works unchanged. The node's Akka gateway stays resolved and watched: remote DeathWatch
// still detects the node's death, and the gateway is the fallback. When the connection fails or closes, the node's
// shards go back to the Akka gateway (buffered commands rerouted; commands in flight on the socket are left to their
// own timeouts, as for a lost remote message) and a new connection is tried after a backoff (1 s doubling to 30 s).
// Switching paths is a topology change: a command sent just before it may be overtaken by one sent just after.
public sealed partial class ClientProxyActor
{
    private static readonly TimeSpan DataPlaneConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly DataPlaneLinks _links = new();
    private DataPlaneSerializer? _dataPlaneSerializer;

    private void ReceiveDataPlane()
    {
        Receive<DataPlaneConnected>(Handle);
        Receive<DataPlaneFailed>(failed =>
        {
            Context.GetLogger().Info("Data plane to {0} (port {1}) not connected ({2}); its requests use remoting.", failed.Node, failed.Port, failed.Problem);
            Lost(failed.Node, null);
        });
        Receive<DataPlaneClosed>(closed =>
        {
            if (!_links.Lost(closed.Node, closed.Ref, out var backoff))
                return;
            Context.GetLogger().Warning("Data plane to {0} closed ({1}); its requests use remoting until it reconnects.", closed.Node, closed.Problem ?? "closed by the node");
            Reroute(closed.Ref);
            TopologyChanged();
            Timers.StartSingleTimer(RetryKey(closed.Node), new DataPlaneRetry(closed.Node), backoff);
        });
        Receive<DataPlaneRetry>(retry => ConnectDataPlane(retry.Node));
    }

    /// <summary>Closes the data-plane connections (their close notices go to dead letters).</summary>
    protected override void PostStop()
    {
        foreach (var connection in _links.Open)
            connection.Close();
    }

    /// <summary>The way to <paramref name="node"/>'s gateway: its data-plane connection when open, else its Akka
    /// gateway; null until the Akka gateway is resolved (it is the node's failure detection).</summary>
    private IActorRef? GatewayOf(string node) =>
        _gateways.TryGetValue(node, out var gateway) ? _links.RefOf(node) ?? gateway : null;

    /// <summary>Every accepted report: connects to its data port when the options allow it.</summary>
    private void DataPlaneReported(NodeTopology report)
    {
        if (!_coalescing.UseDataPlane)
            return;
        var (stale, connect) = _links.Advertised(report.Reporter, report.DataPort);
        stale?.Close("the node advertises another port");
        if (connect)
            ConnectDataPlane(report.Reporter);
    }

    /// <summary>The node's gateway terminated: its connection is closed too (the close reroutes and retries).</summary>
    private void DataPlaneNodeLost(string node) => _links.ConnectionOf(node)?.Close("the node's gateway terminated");

    private void ConnectDataPlane(string node)
    {
        if (!_topology.DataNodes.Contains(node, StringComparer.Ordinal))
            return; // a node that left: its next report, if any, starts again
        var port = _links.BeginConnect(node);
        if (port == 0)
            return;
        _dataPlaneSerializer ??= new DataPlaneSerializer(Context.System);
        var host = Address.Parse(node).Host ?? "127.0.0.1";
        var limit = DataPlaneFrames.LimitFor(_settings.MaxValueBytes);
        ConnectAsync(node, host, port, _coalescing.DataPlaneTls, Context.System, Self, _dataPlaneSerializer, limit, Context.GetLogger()).PipeTo(Self);
    }

    private void Handle(DataPlaneConnected connected)
    {
        if (!_links.Connected(connected.Node, connected.Port, connected.Connection, connected.Ref))
        {
            connected.Connection.Close();
            Lost(connected.Node, null);
            return;
        }

        Context.GetLogger().Info("Data plane to {0} connected (port {1}): its requests bypass remoting.", connected.Node, connected.Port);
        TopologyChanged(); // the node's shards now take the connection; commands buffered for its Akka gateway follow
    }

    private void Lost(string node, IActorRef? actorRef)
    {
        if (_links.Lost(node, actorRef, out var backoff))
            Timers.StartSingleTimer(RetryKey(node), new DataPlaneRetry(node), backoff);
    }

    private static string RetryKey(string node) => "data-plane:" + node;

    /// <summary>Connects off the actor thread; the result comes back as a message. The connection's callbacks only
    /// tell the proxy, never touch its state.</summary>
    private static async Task<object> ConnectAsync(string node, string host, int port, Security.TlsMaterial? tls, ActorSystem system, IActorRef proxy,
        DataPlaneSerializer serializer, int limit, ILoggingAdapter log)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            // One deadline for the connection and, with TLS, its mutual handshake (the node checks this client's
            // certificate, this client the node's, both against the CA).
            using var timeout = new CancellationTokenSource(DataPlaneConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true); // only once connected
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(tls.ClientOptions(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            if (stream is null)
                socket.Dispose();
            else
                await stream.DisposeAsync().ConfigureAwait(false);
            var problem = e is OperationCanceledException ? $"no answer within {DataPlaneConnectTimeout.TotalSeconds:0} s" : e.Message;
            return new DataPlaneFailed(node, port, tls is null ? problem : $"TLS: {problem}");
        }

        DataPlaneConnection? connection = null;
        DataPlaneRef? gateway = null;
        gateway = DataPlaneRef.Create(system, message =>
        {
            if (message is CoalescedRequests requests)
                connection!.Send(requests); // dropped once closed: the commands' timeouts report them
        });
        connection = new DataPlaneConnection(stream, limit, expectPreamble: false,
            payload => proxy.Tell(serializer.DecodeReplies(payload), gateway),
            problem =>
            {
                gateway.Stop();
                proxy.Tell(new DataPlaneClosed(node, gateway, problem));
            },
            serializer.Encode,
            // As remoting drops an oversized message: the commands' timeouts report them.
            (message, problem) => log.Warning("Data plane to {0}: dropped an envelope of {1} commands: {2}.",
                node, ((CoalescedRequests)message).Commands.Count, problem));
        connection.Start(sendPreamble: true);
        return new DataPlaneConnected(node, port, connection, gateway);
    }

    private sealed record DataPlaneConnected(string Node, int Port, DataPlaneConnection Connection, IActorRef Ref);

    private sealed record DataPlaneFailed(string Node, int Port, string Problem);

    private sealed record DataPlaneClosed(string Node, IActorRef Ref, string? Problem);

    private sealed record DataPlaneRetry(string Node);
}
