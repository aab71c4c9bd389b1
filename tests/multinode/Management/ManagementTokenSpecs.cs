using System.Net;
using System.Net.Http.Headers;
using DistCacheAkka.Tests.Multinode.Support;

namespace DistCacheAkka.Tests.Multinode.Management;

// With distcache.management.token set, every command needs "Authorization: Bearer <token>" (401 otherwise, with a
// WWW-Authenticate challenge), the Prometheus text at /metrics included, while /health/* stays open for load balancers
// and orchestrators.
public class ManagementTokenSpecs
{
    [Fact]
    public async Task Should_answer_401_without_the_token_and_serve_with_it()
    {
        await using var cluster = await InProcessCluster.StartAsync(1, "distcache.management.token = \"s3cret-t0ken\"");
        using var http = new HttpClient { BaseAddress = InProcessCluster.ManagementAddressOf(cluster.Nodes[0]) };

        using (var anonymous = await http.GetAsync("cluster/show"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("requires a token", await anonymous.Content.ReadAsStringAsync());
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "cache/set?key=t&ttl=1m") { Content = new StringContent("v") })
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-t0keN");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }

        using (var right = new HttpRequestMessage(HttpMethod.Get, "cluster/show"))
        {
            right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-t0ken");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);

        // The metrics are behind the token too (a scraper sends it as its authorization credentials).
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("metrics")).StatusCode);
        using (var scrape = new HttpRequestMessage(HttpMethod.Get, "metrics"))
        {
            scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-t0ken");
            using var response = await http.SendAsync(scrape);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("# TYPE distcache_node_memory_limit_bytes gauge", await response.Content.ReadAsStringAsync());
        }

        // The CLI passes the token with --token.
        var endpoint = InProcessCluster.ManagementAddressOf(cluster.Nodes[0]).Authority;
        var denied = await CliProcess.RunAsync([endpoint, "cluster", "status"]);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"unauthorized at {endpoint}", denied.Error);
        var allowed = await CliProcess.RunAsync([endpoint, "cluster", "status", "--token", "s3cret-t0ken", "--json"]);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("\"membersUp\": 1", allowed.Output);
    }
}
