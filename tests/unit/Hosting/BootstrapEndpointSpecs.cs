using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Hosting;
using Newtonsoft.Json;

namespace DistCacheAkka.Tests.Unit.Hosting;

// The bootstrap endpoint's reply (GET /bootstrap/seed-nodes), read back the way Akka's contact-point prober reads it
// (Akka.Management's protocol type through Newtonsoft): a node not yet in a cluster offers no seed, so its peers may
// decide to form one; once it is Up it offers itself, so its peers join instead of forming a second cluster.
public class BootstrapEndpointSpecs() : TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.loglevel = WARNING
    """)
{
    private HttpBootstrapJsonProtocol.SeedNodes Reply() =>
        JsonConvert.DeserializeObject<HttpBootstrapJsonProtocol.SeedNodes>(BootstrapEndpoint.SeedNodesJson(Sys))!;

    [Fact]
    public async Task Should_offer_no_seed_before_joining_and_itself_once_up()
    {
        var cluster = Cluster.Get(Sys);

        var before = Reply();
        Assert.Equal(cluster.SelfAddress, before.SelfNode);
        Assert.Empty(before.Nodes);

        cluster.Join(cluster.SelfAddress);
        await AwaitAssertAsync(() => Assert.Equal(MemberStatus.Up, cluster.SelfMember.Status), TimeSpan.FromSeconds(20));

        var after = Reply();
        var self = Assert.Single(after.Nodes);
        Assert.Equal((cluster.SelfAddress, cluster.SelfUniqueAddress.Uid, MemberStatus.Up), (self.Node, self.NodeUid, self.Status));
    }
}
