using Akka.Actor;
using Akka.Event;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.NearCache;

/// <summary>
/// The node's invalidation feed for clients' near caches (/user/distcache-nearcache). It drains the primaries'
/// changes from the <see cref="StreamLog"/> and sends them, in order, to every subscriber as numbered
/// <see cref="NearCacheFeed"/> messages (one sequence per subscriber), keeping where every local stream stands so that
/// each (re)subscription gets a snapshot consistent with what follows it. Subscriptions come through the client
/// registry (<see cref="SubscribeInvalidations"/>) and are leases like registrations: a subscriber that stops renewing
/// is dropped after <see cref="RegisterClient.LeaseExpiry"/>, never watched. A subscriber that got nothing for a
/// <see cref="Heartbeat"/> gets an empty message, so a client can tell a quiet node from a lost one.
/// Every subscriber gets every change (broadcast, as Redis's BCAST tracking): the node does not track which client
/// holds which key.
/// </summary>
internal sealed class NearCacheFeedActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private const int MaxChangesPerMessage = 512;

    private readonly StreamLog _log;
    private readonly string _reporter;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, ShardStream> _streams = new();
    private readonly Dictionary<IActorRef, Subscriber> _subscribers = new();

    public NearCacheFeedActor(StreamLog log, string reporter, TimeProvider time)
    {
        _log = log;
        _reporter = reporter;
        _time = time;
        Receive<DrainLog>(_ => Drain());
        Receive<SubscribeInvalidations>(_ => Subscribe(Sender));
        Receive<HeartbeatTick>(_ => Beat());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StreamLog log, string reporter, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new NearCacheFeedActor(log, reporter, time));

    protected override void PreStart()
    {
        _log.AttachFeed(Self);
        Self.Tell(DrainLog.Instance); // changes appended before the feed was attached
        Timers.StartPeriodicTimer(HeartbeatTick.Instance, HeartbeatTick.Instance, Heartbeat);
    }

    private void Drain()
    {
        var changes = _log.Drain();
        if (changes.Count == 0)
            return;
        foreach (var change in changes)
            Track(change);
        if (_subscribers.Count == 0)
            return;
        // A large batch write makes many changes at once: chunks keep every message well under the frame size.
        for (var start = 0; start < changes.Count; start += MaxChangesPerMessage)
        {
            var chunk = changes.Count <= MaxChangesPerMessage ? changes : changes.GetRange(start, Math.Min(MaxChangesPerMessage, changes.Count - start));
            foreach (var (subscriber, state) in _subscribers)
                Send(subscriber, state, new NearCacheFeed(_reporter, state.Sequence + 1, chunk));
        }
    }

    private void Track(StreamChange change)
    {
        switch (change.Kind)
        {
            case StreamChangeKind.Started:
                _streams[change.Shard] = new ShardStream(change.Shard, change.Stream, change.Sequence);
                break;
            case StreamChangeKind.Stopped:
                if (_streams.TryGetValue(change.Shard, out var stopped) && stopped.Stream == change.Stream)
                    _streams.Remove(change.Shard);
                break;
            default:
                if (_streams.TryGetValue(change.Shard, out var current) && current.Stream == change.Stream)
                    _streams[change.Shard] = current with { Sequence = change.Sequence };
                break;
        }
    }

    private void Subscribe(IActorRef subscriber)
    {
        Drain(); // what is pending goes out first, so the snapshot describes the stream after it
        if (!_subscribers.TryGetValue(subscriber, out var state))
        {
            _subscribers[subscriber] = state = new Subscriber();
            Context.GetLogger().Debug("Near-cache subscriber {0} joined ({1} subscribers).", subscriber.Path, _subscribers.Count);
        }

        state.Expires = _time.GetUtcNow() + RegisterClient.LeaseExpiry;
        Send(subscriber, state, new NearCacheFeed(_reporter, state.Sequence + 1, [], true, _streams.Values.ToArray()));
    }

    private void Beat()
    {
        Drain();
        var now = _time.GetUtcNow();
        foreach (var (subscriber, state) in _subscribers.ToList())
        {
            if (state.Expires < now)
            {
                _subscribers.Remove(subscriber);
                Context.GetLogger().Debug("Near-cache subscriber {0} dropped: its lease ran out.", subscriber.Path);
                continue;
            }

            if (!state.SentSinceBeat)
                Send(subscriber, state, new NearCacheFeed(_reporter, state.Sequence + 1, []));
            state.SentSinceBeat = false;
        }
    }

    private void Send(IActorRef subscriber, Subscriber state, NearCacheFeed message)
    {
        state.Sequence = message.Sequence;
        subscriber.Tell(message, Self);
        state.SentSinceBeat = true;
    }

    private sealed class Subscriber
    {
        public long Sequence;
        public DateTimeOffset Expires;
        public bool SentSinceBeat;
    }

    private sealed class HeartbeatTick
    {
        public static readonly HeartbeatTick Instance = new();
    }
}
