using Akka.Actor;

namespace DistCacheAkka.ClientProxy;

/// <summary>
/// Implemented by clients from <see cref="DistCacheClient.ConnectAsync"/>: the client's ActorSystem and its
/// ClientProxy actor, for Akka applications that Ask the proxy with protocol messages directly.
/// </summary>
public interface IClientProxyAccess
{
    /// <summary>The client's ActorSystem (a cluster member with role "client").</summary>
    ActorSystem System { get; }

    /// <summary>The ClientProxy actor: accepts Get, Set, Remove, GetMany, SetMany and the batch/stats requests.</summary>
    IActorRef Proxy { get; }
}
