using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.NearCache;

/// <summary>
/// The client's end of the nodes' invalidation feeds: the ClientProxy subscribes it with every data node it registers
/// with (<see cref="SubscribeInvalidations"/>, renewed with the registration), and it hands every
/// <see cref="NearCacheFeed"/> to the <see cref="NearCache"/>. A child of the ClientProxy actor, so the feed's work
/// does not delay request routing.
/// </summary>
internal sealed class NearCacheSubscriberActor : ReceiveActor
{
    public NearCacheSubscriberActor(NearCache cache) => Receive<NearCacheFeed>(cache.Apply);

    public static Props Props(NearCache cache) => Akka.Actor.Props.Create(() => new NearCacheSubscriberActor(cache));
}
