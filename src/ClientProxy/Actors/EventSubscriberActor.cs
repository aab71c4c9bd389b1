using System.Threading.Channels;
using Akka.Actor;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// One event subscription. The client is not a cluster member, so it cannot subscribe to the cluster's pub-sub
/// topics itself: it asks one reachable data node's client registry for a relay (<see cref="SubscribeClientEvents"/>
/// with the wanted kinds), which subscribes there and forwards every event of those kinds. This actor filters keys,
/// writes matching events to the channel, renews the relay's lease every <see cref="RegisterClient.LeaseRenewal"/>,
/// and moves to another node when the relay terminates (remote DeathWatch), its node becomes unreachable, or a node
/// does not acknowledge within a renewal period. Events published while it moves are missed (the stream is a live
/// feed, not a log). Replies its own ref to the requester once the first relay acknowledged (every topic subscribed
/// on that node; other nodes learn of it by pub-sub gossip, about a second later).
/// </summary>
internal sealed class EventSubscriberActor : ReceiveActor, IWithTimers
{
    private readonly CacheEventFilter _filter;
    private readonly ChannelWriter<DistributedCacheEvent> _output;
    private readonly IActorRef _requester;
    private readonly DataNodeView _view;
    private readonly SubscribeClientEvents _request;
    private IActorRef? _relay;
    private string? _node;
    private bool _acknowledged;
    private int _attempts;
    private int _ticks;
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private static readonly int RenewEvery = (int)(RegisterClient.LeaseRenewal / TickInterval);

    public EventSubscriberActor(SubscribeEvents request, IActorRef requester, DataNodeView view)
    {
        _filter = request.Filter;
        _output = request.Output;
        _requester = requester;
        _view = view;
        _request = new SubscribeClientEvents(_filter.EffectiveKinds.ToArray());

        Receive<ClientEventsSubscribed>(_ =>
        {
            if (_relay is not null && !_relay.Equals(Sender))
            {
                Sender.Tell(UnsubscribeClientEvents.Instance); // a late answer from a node we already gave up on
                return;
            }

            _relay = Sender;
            Context.Watch(_relay);
            if (_acknowledged)
                return;
            _acknowledged = true;
            _requester.Tell(Self);
        });
        Receive<DistributedCacheEvent>(evt =>
        {
            // Drop rather than block when the consumer is slow: the channel is bounded with DropOldest.
            if (_filter.Matches(evt))
                _output.TryWrite(evt);
        });
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_relay))
                Resubscribe();
        });
        Receive<Renew>(_ =>
        {
            // Every second while unsubscribed or the node is unreachable; the lease itself every renewal period.
            _ticks++;
            if (_node is null || _view.IsUnreachable(_node) || (_relay is null && _ticks % RenewEvery == 0))
                Resubscribe();
            else if (_relay is not null && _ticks % RenewEvery == 0)
                _relay.Tell(_request);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SubscribeEvents request, IActorRef requester, DataNodeView view) =>
        Akka.Actor.Props.Create(() => new EventSubscriberActor(request, requester, view));

    protected override void PreStart()
    {
        Subscribe();
        Timers.StartPeriodicTimer(Renew.Instance, Renew.Instance, TickInterval);
    }

    protected override void PostStop()
    {
        _relay?.Tell(UnsubscribeClientEvents.Instance);
        _output.TryComplete();
    }

    private void Resubscribe()
    {
        if (_relay is not null)
        {
            Context.Unwatch(_relay);
            _relay.Tell(UnsubscribeClientEvents.Instance);
            _relay = null;
        }

        Subscribe();
    }

    /// <summary>Asks the next reachable data node (in turn, so a failing one is not asked twice in a row) for a relay.</summary>
    private void Subscribe()
    {
        var reachable = _view.Members.Where(m => !_view.IsUnreachable(m)).ToList();
        if (reachable.Count == 0)
        {
            _node = null; // no node yet: the next renewal tries again
            return;
        }

        _node = reachable[_attempts++ % reachable.Count];
        Context.ActorSelection(ActorNames.ClientRegistryPath(_node)).Tell(_request);
    }

    private sealed class Renew
    {
        public static readonly Renew Instance = new();
    }
}
