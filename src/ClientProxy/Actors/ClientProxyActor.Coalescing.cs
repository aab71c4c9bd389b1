using System.Diagnostics;
using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

// Request coalescing. Every command goes to a node's request gateway (/user/distcache-gateway) inside an envelope:
// the gateway of the node whose report claims the command's shard, or, for a shard with no reachable owner, a
// reachable gateway chosen by shard number (so one shard's commands keep one path), whose shard region forwards it.
// Commands are buffered per gateway. While fewer than max-in-flight envelopes to that gateway await replies, the
// buffer leaves once the proxy's mailbox is drained (a FlushRequests told to itself arrives after every message
// already queued) or after max-delay; a full buffer leaves at once; with coalescing off, every command leaves alone
// at once. The commands leave as one CoalescedRequests (a lone command in an envelope of one), whose CoalescedReplies
// are matched to the callers by correlation id, never by key: a late reply from a node that was unreachable for a
// while must not complete a later caller of the same key (issue 13, fix 3). Each reply envelope frees a slot (see
// RequestCoalescer).
// Ordering: commands of one shard always take the same path while the topology holds, so a caller that sends two
// commands without awaiting the first still sees them applied in order.
public sealed partial class ClientProxyActor
{
    private readonly CoalescingSettings _coalescing;
    private readonly RequestCoalescer<IActorRef, IActorRef> _coalescer;
    private readonly IActorRef?[] _gatewayOfShard; // null: no reachable owner known, any reachable gateway takes it
    private IActorRef[] _reachableGateways = [];
    private bool _flushScheduled;

    private void ReceiveCoalescing()
    {
        Receive<CoalescedReplies>(Handle);
        Receive<FlushRequests>(_ => Flush());
        Receive<ExpirePending>(_ =>
        {
            _coalescer.Expire(Stopwatch.GetTimestamp());
            if (_coalescer.ReopenStalledWindows())
                ScheduleFlush();
        });
    }

    private void Coalesce(ICacheMessage command, int shard)
    {
        var gateway = _gatewayOfShard[shard] ?? AnyGateway(shard);
        if (gateway is null)
        {
            Sender.Tell(NoNode(command));
            return;
        }

        if (_coalescer.Add(gateway, command, Sender) || !_coalescing.Enabled)
            Send(gateway);
        else
            ScheduleFlush();
    }

    private IActorRef? AnyGateway(int shard) =>
        _reachableGateways.Length == 0 ? null : _reachableGateways[shard % _reachableGateways.Length];

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

    /// <summary>A gateway is gone: its buffered commands take their new path (commands in flight wait for their own
    /// deadline; a reply that still comes reaches its own caller).</summary>
    private void Reroute(IActorRef gateway)
    {
        foreach (var (command, caller) in _coalescer.Drop(gateway))
            Self.Tell(command, caller);
    }

    /// <summary>Recomputes the gateway of every shard from the topology and the resolved gateways.</summary>
    private void ApplyPlacement()
    {
        var known = 0;
        for (var shard = 0; shard < _gatewayOfShard.Length; shard++)
        {
            var owner = _topology.OwnerOf(shard);
            _gatewayOfShard[shard] = owner is not null && _topology.IsReachable(owner) ? GatewayOf(owner) : null;
            if (_gatewayOfShard[shard] is not null)
                known++;
        }

        _reachableGateways = _topology.DataNodes
            .Where(_topology.IsReachable)
            .Select(GatewayOf)
            .OfType<IActorRef>()
            .ToArray();
        _placedShards = known;
    }

    private sealed class FlushRequests
    {
        public static readonly FlushRequests Instance = new();
    }

    private sealed class ExpirePending
    {
        public static readonly ExpirePending Instance = new();
    }
}
