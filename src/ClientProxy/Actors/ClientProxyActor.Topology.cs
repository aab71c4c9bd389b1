using Akka.Actor;
using Akka.Event;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

// The client's session with the cluster (data path v2). The proxy registers with the client registry of its contact
// nodes until one answers, then with every data node the reports name, and renews each registration (a lease) every
// RegisterClient.LeaseRenewal. Every report (NodeTopology) goes into the ClientTopology; every data node's gateway
// is resolved once (Identify) and watched with remote DeathWatch, the client's own failure detection: a terminated
// gateway marks its node lost until the node reports again. Nothing here takes part in the cluster's membership,
// gossip or downing — the nodes never watch a client (see RegisterClient).
public sealed partial class ClientProxyActor
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly IReadOnlyList<Address> _contacts;
    private readonly ClientTopology _topology;
    private readonly Dictionary<string, IActorRef> _gateways = new(StringComparer.Ordinal);
    private readonly HashSet<string> _identifying = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _connectWaiters = [];
    private int _ticks;
    private int _placedShards;

    /// <summary>Starts registering with the contacts, the lease renewals, and the expiry of unanswered commands.</summary>
    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("expire", ExpirePending.Instance, TimeSpan.FromSeconds(1));
        Timers.StartPeriodicTimer("session", SessionTick.Instance, TimeSpan.Zero, Tick);
    }

    private void ReceiveTopology()
    {
        Receive<SessionTick>(_ => Renew());
        Receive<NodeTopology>(report =>
        {
            if (!_topology.Apply(report))
                return;
            DataPlaneReported(report);
            TopologyChanged();
            foreach (var node in _topology.DataNodes)
            {
                if (!_topology.Reporters.Contains(node, StringComparer.Ordinal))
                    Register(node); // a node we have not heard from yet: register now, not at the next renewal
            }
        });
        Receive<ActorIdentity>(identity =>
        {
            if (identity.MessageId is not string node)
                return;
            _identifying.Remove(node);
            if (identity.Subject is not { } gateway || _gateways.ContainsKey(node))
                return;
            _gateways[node] = gateway;
            Context.Watch(gateway);
            TopologyChanged();
        });
        Receive<Terminated>(terminated =>
        {
            var node = _gateways.FirstOrDefault(g => g.Value.Equals(terminated.ActorRef)).Key;
            if (node is null)
                return;
            Context.GetLogger().Warning("Lost data node {0} (its gateway terminated); its shards go through other nodes until it reports again.", node);
            _gateways.Remove(node);
            _topology.MarkLost(node);
            Reroute(terminated.ActorRef);
            DataPlaneNodeLost(node);
            TopologyChanged();
        });
        Receive<AwaitConnected>(_ =>
        {
            if (_reachableGateways.Length > 0)
                Sender.Tell(new ConnectionState(true, _topology.HasReports, _topology.DataNodes.Count));
            else
                _connectWaiters.Add(Sender);
        });
        Receive<GetClientTopology>(_ =>
        {
            var owners = new Dictionary<int, string>();
            for (var shard = 0; shard < _gatewayOfShard.Length; shard++)
            {
                if (_topology.OwnerOf(shard) is { } owner)
                    owners[shard] = owner;
            }

            Sender.Tell(new ClientTopologySnapshot(_topology.DataNodes, new HashSet<string>(_topology.Unreachable), owners));
        });
        Receive<GetConnectionState>(_ => Sender.Tell(new ConnectionState(_reachableGateways.Length > 0, _topology.HasReports, _topology.DataNodes.Count)));
    }

    private void Renew()
    {
        _ticks++;
        _identifying.Clear(); // an Identify that got no answer within a tick is sent again
        if (!_topology.HasReports)
        {
            foreach (var contact in _contacts)
                Register(Context.ActorSelection(ActorNames.ClientRegistryPath(contact)));
            return;
        }

        IdentifyGateways();
        if (_ticks % (int)(RegisterClient.LeaseRenewal / Tick) != 0)
            return;
        foreach (var node in _topology.DataNodes.Union(_topology.Reporters, StringComparer.Ordinal))
            Register(node);
    }

    private void Register(string node) => Register(Context.ActorSelection(ActorNames.ClientRegistryPath(node)));

    /// <summary>Registers (or renews) with one node's registry, and subscribes the near cache to its feed.</summary>
    private void Register(ActorSelection registry)
    {
        registry.Tell(RegisterClient.Instance);
        if (_nearCacheSubscriber is not null)
            registry.Tell(SubscribeInvalidations.Instance, _nearCacheSubscriber);
    }

    private void IdentifyGateways()
    {
        foreach (var node in _topology.DataNodes)
        {
            if (!_gateways.ContainsKey(node) && _identifying.Add(node))
                Context.ActorSelection(ActorNames.GatewayPath(node)).Tell(new Identify(node));
        }
    }

    private void TopologyChanged()
    {
        _view.Update(_topology.DataNodes, _topology.Unreachable);
        IdentifyGateways();
        var before = _reachableGateways;
        ApplyPlacement();
        // The near cache serves only shards whose node is reachable; with no reachable node, nothing.
        _nearCache?.RetainNodes(_topology.DataNodes.Where(_topology.IsReachable).ToHashSet(StringComparer.Ordinal));
        foreach (var gateway in before.Except(_reachableGateways))
            Reroute(gateway); // buffered commands of a node that became unreachable take their new path
        Context.GetLogger().Debug("Topology: {0} data nodes, {1} unreachable, {2} of {3} shards placed on {4} gateways.",
            _topology.DataNodes.Count, _topology.Unreachable.Count, _placedShards, _gatewayOfShard.Length, _reachableGateways.Length);

        if (_reachableGateways.Length == 0 || _connectWaiters.Count == 0)
            return;
        var state = new ConnectionState(true, true, _topology.DataNodes.Count);
        foreach (var waiter in _connectWaiters)
            waiter.Tell(state);
        _connectWaiters.Clear();
    }

    private sealed class SessionTick
    {
        public static readonly SessionTick Instance = new();
    }
}

/// <summary>Asks the ClientProxy to answer <see cref="ConnectionState"/> once some data node's gateway is reachable.</summary>
public sealed record AwaitConnected : INoSerializationVerificationNeeded
{
    /// <summary>The one instance.</summary>
    public static readonly AwaitConnected Instance = new();
}

/// <summary>Asks the ClientProxy for its <see cref="ConnectionState"/> now.</summary>
public sealed record GetConnectionState : INoSerializationVerificationNeeded
{
    /// <summary>The one instance.</summary>
    public static readonly GetConnectionState Instance = new();
}

/// <summary>Whether the ClientProxy can send requests (some gateway is reachable), whether any node has reported its
/// topology, and how many data nodes the reports name.</summary>
public sealed record ConnectionState(bool Connected, bool HeardFromCluster, int DataNodes) : INoSerializationVerificationNeeded;
