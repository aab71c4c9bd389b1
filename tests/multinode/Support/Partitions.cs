using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>Network partitions between in-process nodes with Akka's throttler transport adapter (applied-adapters = [trttl]).</summary>
public static class Partitions
{
    public const string ThrottlerHocon = "akka.remote.dot-netty.tcp.applied-adapters = [trttl]";

    public static Task<bool> SetAsync(ActorSystem from, Address to, ThrottleMode mode)
    {
        var transport = ((IRemoteActorRefProvider)((ExtendedActorSystem)from).Provider).Transport;
        return transport.ManagementCommand(new SetThrottle(to, ThrottleTransportAdapter.Direction.Both, mode));
    }

    /// <summary>Cuts <paramref name="isolated"/> off from every system in <paramref name="others"/>, in both directions.</summary>
    public static async Task IsolateAsync(ActorSystem isolated, IEnumerable<ActorSystem> others, bool heal = false)
    {
        ThrottleMode mode = heal ? Unthrottled.Instance : Blackhole.Instance;
        var self = AddressOf(isolated);
        foreach (var other in others)
        {
            var address = AddressOf(other);
            Assert.True(await SetAsync(other, self, mode), $"throttle {address} -> {self}");
            Assert.True(await SetAsync(isolated, address, mode), $"throttle {self} -> {address}");
        }
    }

    /// <summary>The remoting address of a system, data node (cluster member) or client (remote-only).</summary>
    public static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;
}
