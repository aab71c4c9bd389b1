using System.Diagnostics;
using Akka.Actor;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Gateway;

/// <summary>
/// The node's end of request coalescing (/user/distcache-gateway): unpacks a client's <see cref="CoalescedRequests"/>,
/// hands every command whose shard runs here straight to its EntryActor (a <see cref="Routed"/> command, answered
/// with a <see cref="RoutedReply"/>: one message each way, no region, no Ask; the EntryActors announce themselves with
/// <see cref="ShardLifecycle"/> and withdraw when they start handing off), every other command to the local shard
/// region (which forwards it when the shard lives elsewhere or buffers it while the shard moves, so a client with a
/// stale placement is still served), and gathers the replies per client into <see cref="CoalescedReplies"/>.
/// Replies leave once every command the client sent is answered, so an envelope usually comes back as one; a reply
/// never waits more than <see cref="MaxHold"/> for slower ones (a Quorum write waiting for its backup), checked on
/// every reply and by a timer. A command with no reply within the envelope's timeout gets none: the client's own
/// timeout reports it, as for a lost message. Every reply carries the id of its command, end to end: the ask's
/// temporary actor is unique per command, and the client matches by id, never by key. A bare command (no id) is not
/// served here; clients send a lone command in an envelope of one. Each command is measured from its arrival to its
/// reply (or to giving up on it) in <see cref="NodeTelemetry"/>.
/// </summary>
internal sealed class RequestGatewayActor : ReceiveActor, IWithTimers
{
    private const int MaxRepliesPerEnvelope = 256;
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(1);
    private static readonly long MaxHoldTicks = (long)(MaxHold.TotalSeconds * Stopwatch.Frequency);

    private readonly IActorRef _region;
    private readonly ShardResolver _resolver;
    private readonly Dictionary<IActorRef, Outbox> _outboxes = new();
    private readonly Dictionary<int, IActorRef> _entries = new();
    private readonly Dictionary<long, (IActorRef Client, long Id, long Deadline, ICacheMessage Command, long Started)> _routed = new();
    private readonly NodeTelemetry _telemetry;
    private long _lastRoutedId;

    public RequestGatewayActor(IActorRef region, ShardResolver resolver, NodeTelemetry telemetry)
    {
        _telemetry = telemetry;
        _region = region;
        _resolver = resolver;
        Receive<CoalescedRequests>(Handle);
        Receive<Answered>(Handle);
        Receive<RoutedReply>(Handle);
        Receive<ShardLifecycle>(Handle);
        Receive<HoldExpired>(_ => SendHeld(Stopwatch.GetTimestamp()));
        Receive<ExpireRouted>(_ => ExpireRoutedCommands());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, ShardResolver resolver, NodeTelemetry telemetry) =>
        Akka.Actor.Props.Create(() => new RequestGatewayActor(region, resolver, telemetry));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(ShardLifecycle));
        Timers.StartPeriodicTimer(ExpireRouted.Instance, ExpireRouted.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Handle(ShardLifecycle change)
    {
        if (change.Running)
            _entries[change.Shard] = change.Entry;
        else if (_entries.TryGetValue(change.Shard, out var entry) && entry.Equals(change.Entry))
            _entries.Remove(change.Shard); // a late word from an EntryActor already replaced is ignored
    }

    private void Handle(CoalescedRequests request)
    {
        var client = Sender;
        var self = Self;
        if (!_outboxes.TryGetValue(client, out var outbox))
            _outboxes[client] = outbox = new Outbox();
        outbox.Outstanding += request.Commands.Count;
        var timeout = request.Timeout > TimeSpan.Zero && request.Timeout < MaxTimeout ? request.Timeout : MaxTimeout;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var command in request.Commands)
        {
            var id = command.Id;
            var cacheCommand = command.Command;
            if (_entries.TryGetValue(ShardOf(cacheCommand), out var entry))
            {
                var routedId = ++_lastRoutedId;
                _routed[routedId] = (client, id, deadline, cacheCommand, started);
                entry.Tell(new Routed(routedId, command.Command), self);
                continue;
            }

            // The ask's temporary actor is the command's sender, so the EntryActor's reply reaches this command
            // alone; the continuation only tells, it never touches this actor's state.
            _region.Ask<ICacheMessage>(cacheCommand, timeout).ContinueWith(
                task => self.Tell(new Answered(client, task.IsCompletedSuccessfully ? new CorrelatedReply(id, task.Result) : null, cacheCommand, started)),
                TaskContinuationOptions.ExecuteSynchronously);
        }
    }

    private int ShardOf(ICacheMessage command) => command switch
    {
        IWithCacheKey { Key: { } key } => _resolver.ShardOf(key),
        IWithShardId batch => batch.ShardId,
        _ => -1,
    };

    private void Handle(RoutedReply reply)
    {
        if (_routed.Remove(reply.Id, out var routed))
            Handle(new Answered(routed.Client, reply.Reply is ICacheMessage message ? new CorrelatedReply(routed.Id, message) : null, routed.Command, routed.Started));
    }

    /// <summary>A command handed to an EntryActor that stopped before answering (it moved away meanwhile) gets no
    /// reply, as with the region's timeout: its client's own timeout reports it.</summary>
    private void ExpireRoutedCommands()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (routedId, routed) in _routed)
        {
            if (routed.Deadline < now && _routed.Remove(routedId))
                Handle(new Answered(routed.Client, null, routed.Command, routed.Started));
        }
    }

    private void Handle(Answered answered)
    {
        _telemetry.RecordRequest(answered.Command, answered.Reply?.Reply, answered.Started);
        var outbox = _outboxes[answered.Client];
        outbox.Outstanding--;
        var now = Stopwatch.GetTimestamp();
        if (answered.Reply is { } reply)
        {
            if (outbox.Replies.Count == 0)
                outbox.HeldSince = now;
            outbox.Replies.Add(reply);
        }

        if (outbox.Outstanding == 0 || outbox.Replies.Count >= MaxRepliesPerEnvelope)
            Send(answered.Client, outbox);
        if (outbox.Outstanding == 0 && outbox.Replies.Count == 0)
            _outboxes.Remove(answered.Client); // clients come and go: keep only those with commands in flight
        SendHeld(now);
        if (outbox.Replies.Count > 0 && !Timers.IsTimerActive(HoldExpired.Instance))
            Timers.StartSingleTimer(HoldExpired.Instance, HoldExpired.Instance, MaxHold);
    }

    /// <summary>Sends the replies that waited longer than <see cref="MaxHold"/> for their envelope's slower commands.</summary>
    private void SendHeld(long now)
    {
        var pending = false;
        foreach (var (client, outbox) in _outboxes)
        {
            if (outbox.Replies.Count > 0 && now - outbox.HeldSince >= MaxHoldTicks)
                Send(client, outbox);
            pending |= outbox.Replies.Count > 0;
        }

        if (pending && !Timers.IsTimerActive(HoldExpired.Instance))
            Timers.StartSingleTimer(HoldExpired.Instance, HoldExpired.Instance, MaxHold);
    }

    private void Send(IActorRef client, Outbox outbox)
    {
        if (outbox.Replies.Count == 0)
            return;
        client.Tell(new CoalescedReplies(outbox.Replies), Self);
        outbox.Replies = new List<CorrelatedReply>();
    }

    /// <summary>Replies gathered for one client, and how many of its commands are still unanswered.</summary>
    private sealed class Outbox
    {
        public List<CorrelatedReply> Replies = new();
        public int Outstanding;
        public long HeldSince;
    }

    /// <summary>A command's reply, or null when the region did not answer within the timeout; with the command and
    /// when it arrived, for its measurement.</summary>
    private sealed record Answered(IActorRef Client, CorrelatedReply? Reply, ICacheMessage Command, long Started);

    private sealed class HoldExpired
    {
        public static readonly HoldExpired Instance = new();
    }

    private sealed class ExpireRouted
    {
        public static readonly ExpireRouted Instance = new();
    }
}
