using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Gateway;

/// <summary>
/// One client's event subscription on this node: subscribes to the topic of each wanted kind through the local
/// pub-sub mediator (so cluster-wide events reach it like any subscriber), answers <see cref="ClientEventsSubscribed"/>
/// once every topic is acknowledged, then forwards each event to the client's subscriber. The subscription is a lease
/// (see <see cref="RegisterClient"/>): the client renews it by sending <see cref="SubscribeClientEvents"/> here again,
/// and ends it with <see cref="UnsubscribeClientEvents"/>; one not renewed within <see cref="RegisterClient.LeaseExpiry"/>
/// ends by itself. The client filters keys itself; kinds are filtered here, so a client that wants no
/// KeyInvalidated events costs nothing for them.
/// </summary>
internal sealed class ClientEventRelay : ReceiveActor, IWithTimers
{
    private readonly IActorRef _mediator;
    private readonly IReadOnlyList<CacheEventKind> _kinds;
    private readonly IActorRef _subscriber;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _awaitingAck;
    private DateTimeOffset _deadline;

    public ClientEventRelay(IActorRef mediator, IReadOnlyList<CacheEventKind> kinds, IActorRef subscriber, TimeProvider time)
    {
        _mediator = mediator;
        _kinds = kinds.Distinct().ToArray();
        _subscriber = subscriber;
        _time = time;
        _deadline = time.GetUtcNow() + RegisterClient.LeaseExpiry;
        _awaitingAck = _kinds.Select(DistributedCacheEvent.TopicFor).ToHashSet();

        Receive<SubscribeAck>(ack =>
        {
            if (_awaitingAck.Remove(ack.Subscribe.Topic) && _awaitingAck.Count == 0)
                _subscriber.Tell(ClientEventsSubscribed.Instance);
        });
        Receive<DistributedCacheEvent>(evt => _subscriber.Tell(evt));
        Receive<SubscribeClientEvents>(_ => _deadline = _time.GetUtcNow() + RegisterClient.LeaseExpiry);
        Receive<UnsubscribeClientEvents>(_ => Context.Stop(Self));
        Receive<LeaseCheck>(_ =>
        {
            if (_time.GetUtcNow() > _deadline)
                Context.Stop(Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef mediator, IReadOnlyList<CacheEventKind> kinds, IActorRef subscriber, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ClientEventRelay(mediator, kinds, subscriber, time));

    protected override void PreStart()
    {
        foreach (var kind in _kinds)
            _mediator.Tell(new Subscribe(DistributedCacheEvent.TopicFor(kind), Self));
        if (_kinds.Count == 0)
            _subscriber.Tell(ClientEventsSubscribed.Instance);
        Timers.StartPeriodicTimer(LeaseCheck.Instance, LeaseCheck.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop()
    {
        foreach (var kind in _kinds)
            _mediator.Tell(new Unsubscribe(DistributedCacheEvent.TopicFor(kind), Self));
    }

    private sealed class LeaseCheck
    {
        public static readonly LeaseCheck Instance = new();
    }
}
