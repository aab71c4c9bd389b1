using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

// Request coalescing. Every placement-refresh the proxy asks the cluster which node hosts each shard and resolves
// each node's request gateway (/user/distcache-gateway). A single-key command for a shard with a known gateway is
// buffered per gateway. While fewer than max-in-flight sends to that gateway await replies, the buffer leaves once
// the proxy's mailbox is drained (a FlushRequests told to itself arrives after every message already queued) or
// after max-delay; a full buffer leaves at once. The commands leave as one CoalescedRequests (a lone command in an
// envelope of one), whose CoalescedReplies are matched to the callers by correlation id, never by key: a late reply
// from a node that was unreachable for a while must not complete a later caller of the same key (issue 13, fix 3).
// Each reply envelope frees a slot (see RequestCoalescer). Shards
// of unknown nodes, nodes without a gateway and unreachable nodes take the region proxy path, command by command, as
// with coalescing off.
// Ordering: commands of one shard always take the same path while the placement holds, so a caller that sends two
// commands without awaiting the first still sees them applied in order.
public sealed partial class ClientProxyActor
{
    private readonly CoalescingSettings _coalescing;
    private readonly RequestCoalescer<IActorRef, IActorRef> _coalescer;
    private readonly IActorRef?[] _gatewayOfShard; // null: not known, the command goes through the region proxy
    private readonly Dictionary<Address, IActorRef> _gateways = new();
    private readonly HashSet<Address> _identifying = new();
    private readonly HashSet<Address> _unreachable = new();
    private ClusterShardingStats? _placement;
    private bool _flushScheduled;

    private bool IsClusterMember => Context.System is ExtendedActorSystem { Provider: IClusterActorRefProvider };

    /// <summary>Starts the placement refresh and the expiry of unanswered commands, and watches reachability.</summary>
    protected override void PreStart()
    {
        if (!_coalescing.Enabled)
            return;
        Timers.StartPeriodicTimer("placement", RefreshPlacement.Instance, TimeSpan.Zero, _coalescing.PlacementRefresh);
        Timers.StartPeriodicTimer("expire", ExpirePending.Instance, TimeSpan.FromSeconds(1));
        if (IsClusterMember)
        {
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));
        }
    }

    /// <summary>Stops watching reachability.</summary>
    protected override void PostStop()
    {
        if (_coalescing.Enabled && IsClusterMember)
            Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void ReceiveCoalescing()
    {
        Receive<CoalescedReplies>(Handle);
        Receive<FlushRequests>(_ => Flush());
        Receive<RefreshPlacement>(_ => RequestPlacement());
        Receive<ClusterShardingStats>(Handle);
        Receive<ActorIdentity>(Handle);
        Receive<ClusterEvent.UnreachableMember>(e => Forget(e.Member.Address, unreachable: true));
        Receive<ClusterEvent.MemberRemoved>(e => Forget(e.Member.Address, unreachable: false));
        Receive<ClusterEvent.ReachableMember>(e => _unreachable.Remove(e.Member.Address)); // its gateway is learnt again at the next refresh
        Receive<ExpirePending>(_ =>
        {
            _coalescer.Expire(Stopwatch.GetTimestamp());
            if (_coalescer.ReopenStalledWindows())
                ScheduleFlush();
        });
    }

    private void Handle(IWithCacheKey command)
    {
        if (!_coalescing.Enabled || command.Key is null || _gatewayOfShard[_resolver.ShardOf(command.Key)] is not { } gateway)
        {
            _region.Forward(command);
            return;
        }

        if (_coalescer.Add(gateway, command, Sender))
            Send(gateway);
        else
            ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (_flushScheduled)
            return;
        _flushScheduled = true;
        if (_coalescing.MaxDelay == TimeSpan.Zero)
            Self.Tell(FlushRequests.Instance); // arrives after every request already queued
        else
            Timers.StartSingleTimer("flush", FlushRequests.Instance, _coalescing.MaxDelay);
    }

    private void Flush()
    {
        _flushScheduled = false;
        foreach (var gateway in _coalescer.Ready())
            Send(gateway);
    }

    private void Send(IActorRef gateway)
    {
        // The callers' asks end at ReplyTimeout; their entries are kept a little longer so a late reply is still
        // delivered (to dead letters) rather than logged as unknown.
        var deadline = Stopwatch.GetTimestamp() + (long)((_coalescing.ReplyTimeout + TimeSpan.FromSeconds(1)).TotalSeconds * Stopwatch.Frequency);
        gateway.Tell(new CoalescedRequests(_coalescing.ReplyTimeout, _coalescer.Seal(gateway, deadline)), Self);
    }

    private void Handle(CoalescedReplies replies)
    {
        foreach (var reply in replies.Replies)
            _coalescer.Complete(reply.Id)?.Tell(reply.Reply, Self);
        if (_coalescer.Answered(Sender))
            FlushNow();
    }

    /// <summary>Commands that waited for the window have gathered already: no max-delay for them.</summary>
    private void FlushNow()
    {
        if (_flushScheduled)
            return;
        _flushScheduled = true;
        Self.Tell(FlushRequests.Instance);
    }

    private void RequestPlacement()
    {
        _identifying.Clear(); // an Identify that got no answer by now is retried
        _region.Tell(new GetClusterShardingStats(_coalescing.PlacementRefresh));
    }

    private void Handle(ClusterShardingStats placement)
    {
        _placement = placement;
        ApplyPlacement();
    }

    private void Handle(ActorIdentity identity)
    {
        if (identity.MessageId is not Address address)
            return;
        _identifying.Remove(address);
        if (identity.Subject is { } gateway && !_unreachable.Contains(address))
        {
            _gateways[address] = gateway;
            ApplyPlacement();
        }
    }

    private void Forget(Address address, bool unreachable)
    {
        if (unreachable)
            _unreachable.Add(address);
        else
            _unreachable.Remove(address);
        if (!_gateways.Remove(address, out var gateway))
            return;
        foreach (var (command, caller) in _coalescer.Drop(gateway))
            _region.Tell(command, caller);
        ApplyPlacement();
    }

    private void ApplyPlacement()
    {
        Array.Clear(_gatewayOfShard);
        if (_placement is null)
            return;
        var known = 0;
        foreach (var (address, region) in _placement.Regions)
        {
            if (_unreachable.Contains(address))
                continue;
            if (!_gateways.TryGetValue(address, out var gateway))
            {
                if (_identifying.Add(address))
                    Context.ActorSelection(ActorNames.GatewayPath(address)).Tell(new Identify(address), Self);
                continue;
            }

            foreach (var shardId in region.Stats.Keys)
            {
                if (_resolver.TryParse(shardId, out var shard))
                {
                    _gatewayOfShard[shard] = gateway;
                    known++;
                }
            }
        }

        Context.GetLogger().Debug("Coalescing: {0} of {1} shards on {2} gateways.", known, _gatewayOfShard.Length, _gateways.Count);
    }

    private sealed class FlushRequests
    {
        public static readonly FlushRequests Instance = new();
    }

    private sealed class RefreshPlacement
    {
        public static readonly RefreshPlacement Instance = new();
    }

    private sealed class ExpirePending
    {
        public static readonly ExpirePending Instance = new();
    }
}
