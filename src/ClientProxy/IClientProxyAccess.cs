using Akka.Actor;

namespace DistCacheAkka.ClientProxy;

/// <summary>
/// Implemented by clients from <see cref="DistCacheClient.ConnectAsync"/>: the client's ActorSystem and its
/// ClientProxy actor, for Akka applications that Ask the proxy with protocol messages directly.
/// </summary>
public interface IClientProxyAccess
{
    /// <summary>The client's ActorSystem (remote-only: never a member of the cache cluster).</summary>
    ActorSystem System { get; }

    /// <summary>The ClientProxy actor: accepts Get, Set, Remove, GetMany, SetMany and the batch/stats requests.</summary>
    IActorRef Proxy { get; }
}

/// <summary>Queries of a client's view of the cluster.</summary>
public static class ClientProxyAccessExtensions
{
    /// <summary>The client's current picture of the cluster: data nodes, unreachable ones, and who hosts each shard.</summary>
    public static Task<Actors.ClientTopologySnapshot> GetTopologyAsync(this IClientProxyAccess access, TimeSpan? timeout = null) =>
        access.Proxy.Ask<Actors.ClientTopologySnapshot>(Actors.GetClientTopology.Instance, timeout ?? TimeSpan.FromSeconds(5));
}
