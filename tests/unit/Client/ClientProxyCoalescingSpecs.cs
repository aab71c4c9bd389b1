using System.Collections.Immutable;
using System.Reflection;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;
using Akka.Util;

namespace DistCacheAkka.Tests.Unit.Client;

// The ClientProxyActor's request coalescing with probes standing in for the shard region proxy and a node's gateway:
// it learns the placement from GetClusterShardingStats and the gateway by path; concurrent single-key requests for
// that node share one CoalescedRequests envelope; each reply of a CoalescedReplies goes to its own asker, errors
// included; shards without a known gateway still go through the region, with the asker as sender.
public class ClientProxyCoalescingSpecs : TestKit
{
    private static readonly DistCacheSettings Settings = DistCacheSettings.Default;
    private readonly TestProbe _region;
    private readonly TestProbe _gateway;
    private readonly IActorRef _gatewayRef;

    public ClientProxyCoalescingSpecs()
        : base("akka.loglevel = WARNING")
    {
        _region = CreateTestProbe();
        _gateway = CreateTestProbe();
        // The proxy finds a node's gateway by path: /user/distcache-gateway, here a forwarder to the probe.
        _gatewayRef = Sys.ActorOf(Props.Create(() => new Forwarder(_gateway.Ref)), ActorNames.Gateway);
    }

    private IActorRef StartProxy(int maxBatch = 128, int maxDelayMs = 300) => Sys.ActorOf(ClientProxyActor.Props(_region.Ref, CreateTestProbe().Ref, Settings,
        new CoalescingSettings(Enabled: true, MaxBatch: maxBatch, MaxInFlight: 1, MaxDelay: TimeSpan.FromMilliseconds(maxDelayMs),
            PlacementRefresh: TimeSpan.FromHours(1), ReplyTimeout: TimeSpan.FromSeconds(5))));

    /// <summary>Answers the proxy's placement query: every shard lives on this (test) node.</summary>
    private async Task PlaceEveryShardHere()
    {
        await _region.ExpectMsgAsync<GetClusterShardingStats>();
        var shards = Enumerable.Range(0, Settings.Shards).ToImmutableDictionary(s => s.ToString(), _ => 1);
        var self = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        _region.Reply(new ClusterShardingStats(ImmutableDictionary<Address, ShardRegionStats>.Empty.Add(
            self, new ShardRegionStats(shards, ImmutableHashSet<string>.Empty))));
    }

    /// <summary>Sends lone Gets until one reaches the gateway (its identity takes a moment to come back; until then
    /// requests go through the region), answering each as the node would.</summary>
    private async Task WaitUntilCoalescing(IActorRef proxy, TestProbe? region = null)
    {
        region ??= _region;
        var asker = CreateTestProbe();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            proxy.Tell(new Get("probe"), asker.Ref);
            // The Get reaches the gateway (after the proxy's delay) or the region; poll both, for at most 10 s.
            for (var poll = 0; poll < 100; poll++)
            {
                if (await _gateway.ReceiveOneAsync(TimeSpan.FromMilliseconds(50)) is { } sent and (Get or CoalescedRequests))
                {
                    Assert.Equal(proxy, _gateway.LastSender);
                    AnswerAsNode(proxy, sent, new NotFound("probe"));
                    await asker.ExpectMsgAsync<NotFound>();
                    return;
                }

                if (await region.ReceiveOneAsync(TimeSpan.FromMilliseconds(50)) is Get)
                {
                    region.Reply(new NotFound("probe")); // not coalescing yet: answered by the region
                    await asker.ExpectMsgAsync<NotFound>();
                    break;
                }
            }
        }

        throw new TimeoutException("The proxy never sent a Get to the gateway.");
    }

    /// <summary>Answers what the gateway received for one command, the way the node would: a reply envelope carrying
    /// the command's correlation id, or (for a command that travelled bare) the reply itself.</summary>
    private void AnswerAsNode(IActorRef proxy, object sent, ICacheMessage reply)
    {
        if (sent is CoalescedRequests envelope)
            proxy.Tell(new CoalescedReplies([new CorrelatedReply(Assert.Single(envelope.Commands).Id, reply)]), _gatewayRef);
        else
            proxy.Tell(reply, _gatewayRef);
    }

    /// <summary>A cluster member at this (test) node's address, for reachability events.</summary>
    private Member ThisNode()
    {
        var address = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        var create = typeof(Member).GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Single(m => m.Name == "Create" && m.GetParameters().Length == 3);
        return (Member)create.Invoke(null, [new UniqueAddress(address, 1), ImmutableHashSet<string>.Empty, AppVersion.Zero])!;
    }

    [Fact]
    public async Task Should_send_concurrent_requests_in_one_envelope_and_route_each_reply_to_its_asker()
    {
        var proxy = StartProxy();
        await PlaceEveryShardHere();
        await WaitUntilCoalescing(proxy);

        // Five callers within the 300 ms delay: one envelope.
        var askers = Enumerable.Range(0, 5).Select(_ => CreateTestProbe()).ToArray();
        IWithCacheKey[] commands =
        [
            new Get("a", ConsistencyLevel.Quorum), new Set("b", [1, 2], CacheExpiry.Never, ConsistencyLevel.Quorum),
            new Remove("c"), new Get("d"), new Set("e", [3], CacheExpiry.After(TimeSpan.FromMinutes(1))),
        ];
        for (var i = 0; i < commands.Length; i++)
            proxy.Tell(commands[i], askers[i].Ref);
        var envelope = await _gateway.ExpectMsgAsync<CoalescedRequests>();

        Assert.Equal(commands, envelope.Commands.Select(c => c.Command));
        Assert.Equal(5, envelope.Commands.Select(c => c.Id).Distinct().Count());
        Assert.Equal(TimeSpan.FromSeconds(5), envelope.Timeout);

        // While that envelope is unanswered (a window of one), later requests wait: nothing leaves after the delay.
        var later = CreateTestProbe();
        proxy.Tell(new Get("f"), later.Ref);
        proxy.Tell(new Get("g"), later.Ref);
        await _gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(600));

        // Replies in another order, split over two envelopes, one of them an error for its key alone.
        var notMet = new CacheError(CacheErrorCode.ConsistencyNotMet, "1 of 2 acks", 1, 2, TimeSpan.FromSeconds(3));
        var ids = envelope.Commands.Select(c => c.Id).ToArray();
        proxy.Tell(new CoalescedReplies(
        [
            new CorrelatedReply(ids[3], new NotFound("d")),
            new CorrelatedReply(ids[1], new SetFailure("b", notMet)),
            new CorrelatedReply(ids[0], new GetSuccess("a", [9], new EntryVersion(1, 1))),
        ]), _gatewayRef);
        proxy.Tell(new CoalescedReplies(
        [
            new CorrelatedReply(ids[4], new SetSuccess("e", new EntryVersion(1, 2))),
            new CorrelatedReply(ids[2], new RemoveSuccess("c", true, new EntryVersion(1, 3))),
        ]), _gatewayRef);

        Assert.Equal([9], (await askers[0].ExpectMsgAsync<GetSuccess>()).Value);
        Assert.Equal(notMet, (await askers[1].ExpectMsgAsync<SetFailure>()).Error);
        await askers[2].ExpectMsgAsync<RemoveSuccess>(m => m.Key == "c" && m.Existed);
        await askers[3].ExpectMsgAsync<NotFound>(m => m.Key == "d");
        await askers[4].ExpectMsgAsync<SetSuccess>(m => m.Key == "e");
        foreach (var asker in askers)
            await asker.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));

        // The first reply envelope reopened the window: the two waiting requests left together.
        var next = await _gateway.ExpectMsgAsync<CoalescedRequests>();
        Assert.Equal(["f", "g"], next.Commands.Select(c => c.Command.Key));
    }

    [Fact]
    public async Task Should_never_give_a_late_reply_to_a_later_caller_of_the_same_key()
    {
        // The placement is refreshed every 200 ms by a region that answers the query by itself, so the proxy learns
        // the gateway again after the node was unreachable for a moment.
        var region = CreateTestProbe();
        var shards = Enumerable.Range(0, Settings.Shards).ToImmutableDictionary(s => s.ToString(), _ => 1);
        var stats = new ClusterShardingStats(ImmutableDictionary<Address, ShardRegionStats>.Empty.Add(
            ((ExtendedActorSystem)Sys).Provider.DefaultAddress, new ShardRegionStats(shards, ImmutableHashSet<string>.Empty)));
        region.IgnoreMessages<GetClusterShardingStats>();
        region.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is GetClusterShardingStats)
                sender.Tell(stats);
            return AutoPilot.KeepRunning;
        }));
        var proxy = Sys.ActorOf(ClientProxyActor.Props(region.Ref, CreateTestProbe().Ref, Settings,
            new CoalescingSettings(Enabled: true, MaxBatch: 128, MaxInFlight: 1, MaxDelay: TimeSpan.FromMilliseconds(20),
                PlacementRefresh: TimeSpan.FromMilliseconds(200), ReplyTimeout: TimeSpan.FromSeconds(5))));
        await WaitUntilCoalescing(proxy, region);

        // A Set leaves for the node, which turns unreachable before it answers, then reachable again.
        var writer = CreateTestProbe();
        proxy.Tell(new Set("k", [1], CacheExpiry.Never, ConsistencyLevel.Quorum), writer.Ref);
        var unanswered = await _gateway.ReceiveOneAsync(TimeSpan.FromSeconds(3));
        Assert.NotNull(unanswered);
        proxy.Tell(new ClusterEvent.UnreachableMember(ThisNode()));
        proxy.Tell(new ClusterEvent.ReachableMember(ThisNode()));
        await WaitUntilCoalescing(proxy, region);

        // A later caller reads the same key through the same node; only then does the Set's late reply arrive.
        var reader = CreateTestProbe();
        proxy.Tell(new Get("k", ConsistencyLevel.Quorum), reader.Ref);
        var read = await _gateway.ReceiveOneAsync(TimeSpan.FromSeconds(3));
        Assert.NotNull(read);
        AnswerAsNode(proxy, unanswered!, new SetSuccess("k", new EntryVersion(1, 1)));

        // The late reply is the Set's: the reader must not receive it, and gets its own answer.
        await reader.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        AnswerAsNode(proxy, read!, new GetSuccess("k", [1], new EntryVersion(1, 1)));
        Assert.Equal([1], (await reader.ExpectMsgAsync<GetSuccess>()).Value);
        await reader.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_send_a_full_buffer_without_waiting_for_the_delay()
    {
        var proxy = StartProxy(maxBatch: 3, maxDelayMs: 2_000);
        await PlaceEveryShardHere();
        await WaitUntilCoalescing(proxy);

        var asker = CreateTestProbe();
        foreach (var key in new[] { "x", "y", "z" })
            proxy.Tell(new Get(key), asker.Ref);

        var envelope = await _gateway.ExpectMsgAsync<CoalescedRequests>(TimeSpan.FromSeconds(1)); // well before 2 s
        Assert.Equal(["x", "y", "z"], envelope.Commands.Select(c => c.Command.Key));
    }

    [Fact]
    public async Task Should_forward_requests_for_shards_without_a_known_gateway_to_the_region()
    {
        var proxy = StartProxy();
        await _region.ExpectMsgAsync<GetClusterShardingStats>(); // left unanswered: no placement known
        var asker = CreateTestProbe();

        proxy.Tell(new Get("k"), asker.Ref);

        await _region.ExpectMsgAsync<Get>(m => m.Key == "k");
        Assert.Equal(asker.Ref, _region.LastSender);
        _region.Reply(new NotFound("k"));
        await asker.ExpectMsgAsync<NotFound>();
        await _gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_never_coalesce_when_disabled()
    {
        var proxy = Sys.ActorOf(ClientProxyActor.Props(_region.Ref, CreateTestProbe().Ref, Settings,
            CoalescingSettings.Default with { Enabled = false }));
        var asker = CreateTestProbe();

        proxy.Tell(new Set("k", [1], CacheExpiry.Never), asker.Ref);

        await _region.ExpectMsgAsync<Set>(m => m.Key == "k"); // no placement query first: the timer never started
        Assert.Equal(asker.Ref, _region.LastSender);
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Forward(message));
    }
}
