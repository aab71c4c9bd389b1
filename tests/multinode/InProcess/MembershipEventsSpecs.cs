using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Membership events through the client's event stream: a node that joins is announced with NodeJoined, and a node
// that leaves gracefully with NodeLeft(Graceful), each once (only the leader publishes). The spec first waits until
// every node's publisher knows of the subscription, because pub-sub delivery is at-most-once.
public class MembershipEventsSpecs
{
    [Fact]
    public async Task Should_announce_a_joining_and_a_leaving_node()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var client = await cluster.ConnectClientAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<DistributedCacheEvent>();
        var reader = Task.Run(async () =>
        {
            await foreach (var evt in client.SubscribeAsync(CacheEventFilter.Of(CacheEventKind.NodeJoined, CacheEventKind.NodeLeft), cts.Token))
                lock (events)
                    events.Add(evt);
        }, cts.Token);

        await Eventually.HoldsAsync(() => cluster.Nodes.All(n =>
                n.Services.GetRequiredService<EventInterest>().Wants(CacheEventKind.NodeJoined)
                && n.Services.GetRequiredService<EventInterest>().Wants(CacheEventKind.NodeLeft)),
            TimeSpan.FromSeconds(20), "every node to see the subscription");

        var third = await cluster.AddNodeAsync();
        var address = Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(third)).SelfAddress.ToString();
        await Eventually.HoldsAsync(() => Snapshot(events).OfType<NodeJoined>().Any(e => e.Address == address),
            TimeSpan.FromSeconds(30), $"NodeJoined for {address}");

        await third.StopAsync();
        await Eventually.HoldsAsync(() => Snapshot(events).OfType<NodeLeft>().Any(e => e.Address == address),
            TimeSpan.FromSeconds(30), $"NodeLeft for {address}");

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);
        var joined = Assert.Single(Snapshot(events).OfType<NodeJoined>(), e => e.Address == address);
        Assert.Contains("cache", joined.Roles);
        Assert.Equal(NodeLeftReason.Graceful, Assert.Single(Snapshot(events).OfType<NodeLeft>(), e => e.Address == address).Reason);
    }

    private static List<DistributedCacheEvent> Snapshot(List<DistributedCacheEvent> events)
    {
        lock (events)
            return [.. events];
    }
}
