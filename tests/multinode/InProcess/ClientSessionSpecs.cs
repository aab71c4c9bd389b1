using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Issue 14: clients are not cluster members. A client was a member once, and one with default split-brain settings
// let one node crash down the whole cluster (the leader can be any member). Now: clients come and go without a single
// membership event, whatever cluster settings they carry; any data node will do as a seed; and when a node crashes
// under clients on default settings, the others stay and serve.
public class ClientSessionSpecs(ITestOutputHelper output)
{
    // What a client's settings could try to say about the cluster: nothing of it may reach the nodes.
    private const string ClusterSettingsOnAClient = """
        akka.loglevel = WARNING
        akka.cluster.split-brain-resolver.stable-after = 1s
        akka.cluster.split-brain-resolver.active-strategy = keep-oldest
        akka.cluster.roles = [cache]
        """;

    [Fact]
    public async Task Should_let_50_clients_connect_and_disconnect_through_any_node_without_a_membership_change()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var endpoints = cluster.Systems.Select(s => Cluster.Get(s).SelfAddress).Select(a => $"{a.Host}:{a.Port}").ToList();
        var events = new ConcurrentQueue<ClusterEvent.IMemberEvent>();
        var recorder = InProcessCluster.SystemOf(cluster.Nodes[0]).ActorOf(Props.Create(() => new MemberEventRecorder(events)));
        var membersBefore = cluster.Systems.Select(s => Cluster.Get(s).State.Members.Select(m => m.UniqueAddress).ToHashSet()).ToList();

        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
            {
                var id = round * 10 + i;
                await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
                {
                    SeedNodes = [endpoints[id % endpoints.Count]], // seeds, workers alike
                    ClusterSettings = cluster.Settings,
                    ExtraHocon = ClusterSettingsOnAClient,
                });
                Assert.IsNotAssignableFrom<IClusterActorRefProvider>(((ExtendedActorSystem)((IClientProxyAccess)client).System).Provider);
                await client.SetAsync($"session:{id}", id);
                Assert.Equal(id, await client.GetAsync<int>($"session:{id}"));
            }));
        }

        output.WriteLine($"50 clients connected, wrote, read and disconnected in {clock.Elapsed.TotalSeconds:0.0} s");
        await recorder.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)); // every event before it was recorded
        Assert.Empty(events);
        Assert.Equal(membersBefore, cluster.Systems.Select(s => Cluster.Get(s).State.Members.Select(m => m.UniqueAddress).ToHashSet()).ToList());
        Assert.All(cluster.Systems, s => Assert.Equal(3, Cluster.Get(s).State.Members.Count));
    }

    [Fact]
    public async Task Should_keep_and_serve_the_other_nodes_when_one_crashes_under_clients_on_default_settings()
    {
        // The nodes run stable-after = 4 s (TestHocon), so down-all-when-unstable would fire 7 s into an unstable
        // membership; the clients carry Akka's defaults (20 s) and a hostile override. Neither can matter any more.
        await using var cluster = await InProcessCluster.StartAsync(3, Partitions.ThrottlerHocon);
        var clients = new List<IDistCacheClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await cluster.ConnectClientAsync(o => o with
            {
                ExtraHocon = (i == 0 ? ClusterSettingsOnAClient : "akka.loglevel = WARNING") + "\n" + Partitions.ThrottlerHocon,
                RequestTimeout = TimeSpan.FromSeconds(3),
            }));
        }

        var keys = DataPathClusterSpecs.KeysCoveringEveryShard(new Messages.Hashing.ShardResolver(cluster.Settings.Shards), "crash:", cluster.Settings.Shards);
        await clients[0].SetMultipleAsync(keys.ToDictionary(k => k, _ => 1), consistency: ConsistencyLevel.Quorum);

        // The crash: node 2 falls silent to everyone, nodes and clients.
        var crashed = InProcessCluster.SystemOf(cluster.Nodes[2]);
        var crashedAddress = Cluster.Get(crashed).SelfAddress;
        var survivors = cluster.Nodes.Take(2).Select(InProcessCluster.SystemOf).ToList();
        await Partitions.IsolateAsync(crashed, survivors.Concat(clients.Select(c => ((IClientProxyAccess)c).System)));
        var clock = Stopwatch.StartNew();
        await Eventually.HoldsAsync(() => survivors.All(s => Cluster.Get(s).State.Members.All(m => m.Address != crashedAddress)),
            TimeSpan.FromSeconds(60), "the crashed node downed and removed by the survivors");
        output.WriteLine($"crashed node removed after {clock.Elapsed.TotalSeconds:0.0} s");

        // Every client writes to every shard again, and the survivors are still Up well past the window in which
        // down-all-when-unstable would have fired (7 s after the membership became unstable).
        foreach (var client in clients)
        {
            await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    await client.SetMultipleAsync(keys.ToDictionary(k => k, _ => 2), consistency: ConsistencyLevel.Quorum);
                    return true;
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException { IsRetriable: true })
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "Quorum writes to every shard after the failover");
        }

        while (clock.Elapsed < TimeSpan.FromSeconds(12)) // an observation window for an absence, not a synchronisation
        {
            Assert.All(survivors, s => Assert.False(s.WhenTerminated.IsCompleted, $"{Cluster.Get(s).SelfAddress} was shut down"));
            Assert.All(survivors, s => Assert.Equal(2, Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up)));
            await Task.Delay(100);
        }

        foreach (var client in clients)
            Assert.Equal(2, await client.GetAsync<int>(keys[0], ConsistencyLevel.Quorum));
    }

    /// <summary>Records every member event after the initial state.</summary>
    private sealed class MemberEventRecorder : ReceiveActor
    {
        public MemberEventRecorder(ConcurrentQueue<ClusterEvent.IMemberEvent> events)
        {
            Receive<ClusterEvent.CurrentClusterState>(_ => { });
            Receive<ClusterEvent.IMemberEvent>(events.Enqueue);
        }

        protected override void PreStart() =>
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));

        protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
