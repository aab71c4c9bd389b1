using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// One event subscription: subscribes to the topic of each wanted kind through the local pub-sub mediator, writes
/// matching events to a channel, and unsubscribes when stopped. Replies its own ref to the requester once every
/// topic's subscription was acknowledged locally (other nodes learn of it by pub-sub gossip, about a second later).
/// </summary>
internal sealed class EventSubscriberActor : ReceiveActor
{
    private readonly IActorRef _mediator;
    private readonly CacheEventFilter _filter;
    private readonly ChannelWriter<DistributedCacheEvent> _output;
    private readonly IActorRef _requester;
    private readonly HashSet<string> _awaitingAck;

    public EventSubscriberActor(IActorRef mediator, SubscribeEvents request, IActorRef requester)
    {
        _mediator = mediator;
        _filter = request.Filter;
        _output = request.Output;
        _requester = requester;
        _awaitingAck = _filter.EffectiveKinds.Select(DistributedCacheEvent.TopicFor).ToHashSet();

        Receive<SubscribeAck>(ack =>
        {
            if (_awaitingAck.Remove(ack.Subscribe.Topic) && _awaitingAck.Count == 0)
                _requester.Tell(Self);
        });
        Receive<DistributedCacheEvent>(evt =>
        {
            // Drop rather than block when the consumer is slow: the channel is bounded with DropOldest.
            if (_filter.Matches(evt))
                _output.TryWrite(evt);
        });
    }

    public static Props Props(IActorRef mediator, SubscribeEvents request, IActorRef requester) =>
        Akka.Actor.Props.Create(() => new EventSubscriberActor(mediator, request, requester));

    protected override void PreStart()
    {
        foreach (var kind in _filter.EffectiveKinds)
            _mediator.Tell(new Subscribe(DistributedCacheEvent.TopicFor(kind), Self));
    }

    protected override void PostStop()
    {
        foreach (var kind in _filter.EffectiveKinds)
            _mediator.Tell(new Unsubscribe(DistributedCacheEvent.TopicFor(kind), Self));
        _output.TryComplete();
    }
}
