using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// The client sample of README.md, compiled and run against a real cluster so the README cannot rot.
// Keep Sample() in sync with the README's "Using the client" section.
public class ReadmeSampleSpecs
{
    [Fact]
    public async Task Should_run_the_readme_sample()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, "distcache.shards = 1024"); // the sample passes no cluster settings: the default S

        var (product, removed, many) = await Sample(cluster.SeedEndpoint);

        Assert.Equal(new Product("Espresso", 2.5m), product);
        Assert.True(removed);
        Assert.Equal(2, many.Count);
    }

    private static async Task<(Product?, bool, IReadOnlyDictionary<string, Product>)> Sample(string seed)
    {
        // --- README sample begins ---
        await using var cache = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [seed],                          // e.g. "127.0.0.1:4053"
            DefaultConsistency = ConsistencyLevel.Quorum,
        });

        await cache.SetAsync("product:1", new Product("Espresso", 2.5m), ttl: TimeSpan.FromMinutes(10));
        var product = await cache.GetAsync<Product>("product:1", ConsistencyLevel.Eventual);

        await cache.SetMultipleAsync(new Dictionary<string, Product>
        {
            ["product:2"] = new("Latte", 3.2m),
            ["product:3"] = new("Mocha", 3.6m),
        });
        var many = await cache.GetMultipleAsync<Product>(["product:2", "product:3", "product:404"]);

        var removed = await cache.RemoveAsync("product:1", ConsistencyLevel.Strong);
        // --- README sample ends ---
        return (product, removed, many);
    }

    public sealed record Product(string Name, decimal Price);
}
