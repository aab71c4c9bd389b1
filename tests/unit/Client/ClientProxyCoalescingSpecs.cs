using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Client;

// The ClientProxyActor's session and request coalescing with probes standing in for a node's client registry and
// gateway (data path v2: the client is not a cluster member). It registers with its contact's registry, learns the
// placement from the node's topology report and the gateway by path; concurrent requests for that node share one
// CoalescedRequests envelope; each reply of a CoalescedReplies goes to its own asker, errors included; shards nobody
// claims go to any reachable gateway; with no reachable node a request fails at once with Unavailable.
public class ClientProxyCoalescingSpecs : TestKit
{
    private static readonly DistCacheSettings Settings = DistCacheSettings.Default;
    private readonly TestProbe _registry;
    private readonly TestProbe _gateway;
    private readonly IActorRef _gatewayRef;
    private readonly string _self;

    public ClientProxyCoalescingSpecs()
        : base("akka.loglevel = WARNING")
    {
        _registry = CreateTestProbe();
        _gateway = CreateTestProbe();
        // The proxy finds a node's registry and gateway by path, here forwarders to the probes (Identify is answered
        // by the forwarder itself, as by any actor).
        Sys.ActorOf(Props.Create(() => new Forwarder(_registry.Ref)), ActorNames.ClientRegistry);
        _gatewayRef = Sys.ActorOf(Props.Create(() => new Forwarder(_gateway.Ref)), ActorNames.Gateway);
        _self = ((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString();
    }

    private IActorRef StartProxy(int maxBatch = 128, int maxDelayMs = 300, bool enabled = true) => Sys.ActorOf(ClientProxyActor.Props(
        [((ExtendedActorSystem)Sys).Provider.DefaultAddress], Settings,
        new CoalescingSettings(Enabled: enabled, MaxBatch: maxBatch, MaxInFlight: 1, MaxDelay: TimeSpan.FromMilliseconds(maxDelayMs),
            PlacementRefresh: TimeSpan.FromHours(1), ReplyTimeout: TimeSpan.FromSeconds(5))));

    /// <summary>Answers the proxy's registration as the node would: this (test) node is the only data node, hosting
    /// every shard (or none), reachable or not.</summary>
    private async Task ReportAsync(IActorRef proxy, long version, bool hostsShards = true, bool unreachable = false)
    {
        if (version == 1)
        {
            await _registry.ExpectMsgAsync<RegisterClient>();
            Assert.Equal(proxy, _registry.LastSender);
        }

        proxy.Tell(new NodeTopology(_self, version, [_self], unreachable ? [_self] : [],
            hostsShards ? Enumerable.Range(0, Settings.Shards).ToArray() : []));
    }

    /// <summary>Sends lone Gets until one reaches the gateway (its identity takes a moment to come back; until then
    /// requests fail with Unavailable), answering it as the node would.</summary>
    private async Task WaitUntilCoalescing(IActorRef proxy)
    {
        var asker = CreateTestProbe();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            proxy.Tell(new Get("probe"), asker.Ref);
            // The Get reaches the gateway (after the proxy's delay) or fails at once; poll both, for at most 5 s.
            for (var poll = 0; poll < 50; poll++)
            {
                if (await _gateway.ReceiveOneAsync(TimeSpan.FromMilliseconds(50)) is CoalescedRequests sent)
                {
                    Assert.Equal(proxy, _gateway.LastSender);
                    AnswerAsNode(proxy, sent, new NotFound("probe"));
                    await asker.ExpectMsgAsync<NotFound>();
                    return;
                }

                if (await asker.ReceiveOneAsync(TimeSpan.FromMilliseconds(50)) is GetFailure failure)
                {
                    Assert.Equal(CacheErrorCode.Unavailable, failure.Error.Code);
                    break;
                }
            }
        }

        throw new TimeoutException("The proxy never sent a Get to the gateway.");
    }

    /// <summary>Answers what the gateway received for one command, the way the node would: a reply envelope carrying
    /// the command's correlation id.</summary>
    private void AnswerAsNode(IActorRef proxy, CoalescedRequests envelope, ICacheMessage reply) =>
        proxy.Tell(new CoalescedReplies([new CorrelatedReply(Assert.Single(envelope.Commands).Id, reply)]), _gatewayRef);

    [Fact]
    public async Task Should_send_concurrent_requests_in_one_envelope_and_route_each_reply_to_its_asker()
    {
        var proxy = StartProxy();
        await ReportAsync(proxy, 1);
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
        Assert.Equal(["f", "g"], next.Commands.Select(c => ((IWithCacheKey)c.Command).Key));
    }

    [Fact]
    public async Task Should_never_give_a_late_reply_to_a_later_caller_of_the_same_key()
    {
        var proxy = StartProxy(maxDelayMs: 20);
        await ReportAsync(proxy, 1);
        await WaitUntilCoalescing(proxy);

        // A Set leaves for the node, which turns unreachable before it answers, then reachable again.
        var writer = CreateTestProbe();
        proxy.Tell(new Set("k", [1], CacheExpiry.Never, ConsistencyLevel.Quorum), writer.Ref);
        var unanswered = await _gateway.ExpectMsgAsync<CoalescedRequests>(TimeSpan.FromSeconds(3));
        await ReportAsync(proxy, 2, unreachable: true);
        await ReportAsync(proxy, 3);
        await WaitUntilCoalescing(proxy);

        // A later caller reads the same key through the same node; only then does the Set's late reply arrive.
        var reader = CreateTestProbe();
        proxy.Tell(new Get("k", ConsistencyLevel.Quorum), reader.Ref);
        var read = await _gateway.ExpectMsgAsync<CoalescedRequests>(TimeSpan.FromSeconds(3));
        AnswerAsNode(proxy, unanswered, new SetSuccess("k", new EntryVersion(1, 1)));

        // The late reply is the Set's: the reader must not receive it, and gets its own answer.
        await reader.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        AnswerAsNode(proxy, read, new GetSuccess("k", [1], new EntryVersion(1, 1)));
        Assert.Equal([1], (await reader.ExpectMsgAsync<GetSuccess>()).Value);
        await reader.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_send_a_full_buffer_without_waiting_for_the_delay()
    {
        var proxy = StartProxy(maxBatch: 3, maxDelayMs: 2_000);
        await ReportAsync(proxy, 1);
        await WaitUntilCoalescing(proxy);

        var asker = CreateTestProbe();
        foreach (var key in new[] { "x", "y", "z" })
            proxy.Tell(new Get(key), asker.Ref);

        var envelope = await _gateway.ExpectMsgAsync<CoalescedRequests>(TimeSpan.FromSeconds(1)); // well before 2 s
        Assert.Equal(["x", "y", "z"], envelope.Commands.Select(c => ((IWithCacheKey)c.Command).Key));
    }

    [Fact]
    public async Task Should_send_shards_nobody_claims_to_a_reachable_gateway()
    {
        var proxy = StartProxy(maxDelayMs: 0);
        await ReportAsync(proxy, 1, hostsShards: false); // a hand-off in progress: no node reports the shards
        await WaitUntilCoalescing(proxy);
        var asker = CreateTestProbe();

        proxy.Tell(new GetMany(7, ["a", "b"]), asker.Ref);

        var envelope = await _gateway.ExpectMsgAsync<CoalescedRequests>();
        Assert.Equal(7, Assert.IsType<GetMany>(Assert.Single(envelope.Commands).Command).ShardId);
        AnswerAsNode(proxy, envelope, new GetManySuccess(7, [], ["a", "b"]));
        await asker.ExpectMsgAsync<GetManySuccess>(m => m.Missing.Count == 2);
    }

    [Fact]
    public async Task Should_fail_at_once_with_Unavailable_while_no_data_node_answered()
    {
        var proxy = StartProxy();
        await _registry.ExpectMsgAsync<RegisterClient>(); // left unanswered
        var asker = CreateTestProbe();

        proxy.Tell(new Set("k", [1], CacheExpiry.Never), asker.Ref);

        var failure = await asker.ExpectMsgAsync<SetFailure>();
        Assert.Equal(CacheErrorCode.Unavailable, failure.Error.Code);
        Assert.Contains("No data node is reachable", failure.Error.Message);
        await _gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_renew_its_registration_and_send_each_command_alone_when_coalescing_is_off()
    {
        var proxy = StartProxy(maxDelayMs: 2_000, enabled: false);
        await ReportAsync(proxy, 1);
        await WaitUntilCoalescing(proxy);
        var asker = CreateTestProbe();

        proxy.Tell(new Set("k", [1], CacheExpiry.Never), asker.Ref);
        proxy.Tell(new Get("k"), asker.Ref);

        // Both leave at once, each in its own envelope, although the window of one is taken by the first.
        Assert.IsType<Set>(Assert.Single((await _gateway.ExpectMsgAsync<CoalescedRequests>(TimeSpan.FromMilliseconds(500))).Commands).Command);
        Assert.IsType<Get>(Assert.Single((await _gateway.ExpectMsgAsync<CoalescedRequests>(TimeSpan.FromMilliseconds(500))).Commands).Command);
        await _registry.ExpectMsgAsync<RegisterClient>(RegisterClient.LeaseRenewal + TimeSpan.FromSeconds(3)); // the lease renewal
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Forward(message));
    }
}
