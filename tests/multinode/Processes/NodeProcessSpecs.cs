using DistCacheAkka.ClientProxy;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// CacheNode as operators run it: real OS processes on loopback. Bad options exit 2 with a message naming the
// problem; a seed and a worker form a cluster a client can use; SIGTERM makes a node leave the cluster gracefully
// (the others see it removed) and exit 0.
public class NodeProcessSpecs(ITestOutputHelper output)
{
    [Theory]
    [InlineData("--bogus", "x", "Unknown option --bogus")]
    [InlineData("--port", "99999", "--port is '99999'")]
    [InlineData("--seed", "not-an-endpoint", "a seed must be host:port")]
    public async Task Should_exit_2_with_a_clear_message_on_bad_options(string flag, string value, string expected)
    {
        using var node = NodeProcess.Start(0, flag, value);

        Assert.Equal(2, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(expected, node.Output);
        Assert.Contains("Usage:", node.Output);
    }

    [Fact]
    public async Task Should_serve_a_client_and_leave_gracefully_on_SIGTERM()
    {
        using var nodes = new NodeProcessGroup("# CacheNode defaults\n", output);
        var seed = nodes.Start("seed", null);
        await seed.WaitListeningAsync(TimeSpan.FromSeconds(60));
        var worker = nodes.Start("worker", seed.Port);
        await worker.WaitListeningAsync(TimeSpan.FromSeconds(60));

        // The client's seed list names the worker only: any data node will do, it reports the others.
        await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [worker.Endpoint],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            ExtraHocon = "akka.loglevel = ERROR",
        });
        var access = (IClientProxyAccess)client;
        await ShardReadiness.WaitDataNodesAsync(client, 2, TimeSpan.FromSeconds(60));
        await ShardReadiness.WaitAllAllocatedAsync(client);
        await client.SetAsync("process:hello", "world");
        Assert.Equal("world", await client.GetAsync<string>("process:hello"));

        // Cross-process routing agreement: this process splits the batch by shard; the node processes check every
        // key against their own resolver and would answer WrongShard on any disagreement.
        var batch = Enumerable.Range(0, 2_000).ToDictionary(i => $"process:{i}", i => i);
        await client.SetMultipleAsync(batch);
        var read = await client.GetMultipleAsync<int>(batch.Keys);
        Assert.Equal(batch, read.OrderBy(kv => kv.Value).ToDictionary());

        worker.Terminate();

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Eventually.HoldsAsync(async () => (await access.GetTopologyAsync()).DataNodes.All(a => !a.EndsWith($":{worker.Port}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the worker removed from the data nodes");
        Assert.Empty((await access.GetTopologyAsync()).Unreachable);

        // Its only contact left: the client goes on through the node it learnt of.
        await client.SetAsync("process:after", "leave");
        Assert.Equal("leave", await client.GetAsync<string>("process:after"));
    }

    [Fact]
    public async Task Should_exit_1_naming_the_flag_when_the_management_port_is_taken()
    {
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;

        using var node = NodeProcess.Start(0, "--port", NodeProcess.FreePort().ToString(), "--mgmt-port", taken.ToString());

        Assert.Equal(1, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"could not listen on 127.0.0.1:{taken}", node.Output);
        Assert.Contains("--mgmt-port", node.Output);
    }

    [Fact]
    public async Task Should_refuse_a_non_loopback_management_endpoint_without_a_token()
    {
        var startInfo = new[] { "--port", NodeProcess.FreePort().ToString(), "--mgmt-port", "0" };
        Environment.SetEnvironmentVariable("DISTCACHE_MANAGEMENT__HOST", "0.0.0.0");
        NodeProcess node;
        try
        {
            node = NodeProcess.Start(0, startInfo);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DISTCACHE_MANAGEMENT__HOST", null);
        }

        using (node)
        {
            Assert.Equal(2, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("not a loopback address", node.Output);
        }
    }
}
