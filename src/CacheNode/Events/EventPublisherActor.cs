using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Events;

/// <summary>
/// Publishes cache events cluster-wide through DistributedPubSub (one topic per kind) and keeps
/// <see cref="EventInterest"/> current by asking the mediator which topics have subscribers.
/// </summary>
internal sealed class EventPublisherActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _mediator;
    private readonly EventInterest _interest;

    public EventPublisherActor(IActorRef mediator, EventInterest interest, TimeSpan refresh)
    {
        _mediator = mediator;
        _interest = interest;
        Receive<DistributedCacheEvent>(Handle);
        Receive<RefreshInterestTick>(_ => _mediator.Tell(GetTopics.Instance));
        Receive<CurrentTopics>(Handle);
        Timers.StartPeriodicTimer(RefreshInterestTick.Instance, RefreshInterestTick.Instance, TimeSpan.Zero, refresh);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef mediator, EventInterest interest, TimeSpan refresh) =>
        Akka.Actor.Props.Create(() => new EventPublisherActor(mediator, interest, refresh));

    private void Handle(DistributedCacheEvent evt) =>
        _mediator.Tell(new Publish(DistributedCacheEvent.TopicFor(evt.Kind), evt));

    private void Handle(CurrentTopics topics) =>
        _interest.Update(Enum.GetValues<CacheEventKind>().Where(k => topics.Topics.Contains(DistributedCacheEvent.TopicFor(k))));

    private sealed class RefreshInterestTick
    {
        public static readonly RefreshInterestTick Instance = new();
    }
}
