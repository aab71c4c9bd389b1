using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Hybrid;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// AddDistCacheHybridCache without a cluster: it needs AddDistCache first, switches the near cache on when the
// application left it off (keeping the application's own settings otherwise), and checks its options at registration.
public class HybridRegistrationSpecs
{
    private static readonly DistCacheClientOptions Options = new() { SeedNodes = ["127.0.0.1:4053"] };

    [Fact]
    public void Should_refuse_to_register_without_the_client_or_twice()
    {
        var alone = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddDistCacheHybridCache());
        var services = new ServiceCollection().AddDistCache(Options).AddDistCacheHybridCache();
        var twice = Assert.Throws<InvalidOperationException>(() => services.AddDistCacheHybridCache());

        Assert.Contains("call services.AddDistCache(options) before", alone.Message);
        Assert.Contains("already called", twice.Message);
    }

    [Fact]
    public void Should_switch_the_near_cache_on_with_the_default_and_register_the_cache()
    {
        using var provider = new ServiceCollection().AddDistCache(Options)
            .AddDistCacheHybridCache(o => o.DefaultNearCache = new NearCacheOptions { MaxEntries = 123 })
            .BuildServiceProvider();

        Assert.Equal(123, provider.GetRequiredService<DistCacheClientOptions>().NearCache?.MaxEntries);
        Assert.IsType<DistCacheHybridCache>(provider.GetRequiredService<HybridCache>());
        Assert.Single(provider.GetServices<HybridCache>());
    }

    [Fact]
    public void Should_keep_the_applications_near_cache_settings()
    {
        var own = new NearCacheOptions { MaxEntries = 7, MaxAge = TimeSpan.FromSeconds(9) };
        using var provider = new ServiceCollection()
            .AddDistCache(_ => Options with { NearCache = own })
            .AddDistCacheHybridCache()
            .BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<DistCacheClientOptions>().NearCache);
    }

    [Fact]
    public void Should_refuse_invalid_options_naming_the_setting()
    {
        var services = new ServiceCollection().AddDistCache(Options);

        var key = Assert.Throws<ArgumentException>(() => services.AddDistCacheHybridCache(o => o.MaximumKeyLength = 0));
        var expiry = Assert.Throws<ArgumentException>(() =>
            services.AddDistCacheHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = TimeSpan.Zero }));
        var near = Assert.Throws<ArgumentException>(() => services.AddDistCacheHybridCache(o => o.DefaultNearCache = new NearCacheOptions { MaxEntries = 0 }));

        Assert.Contains("MaximumKeyLength is 0", key.Message);
        Assert.Contains("DefaultEntryOptions.Expiration", expiry.Message);
        Assert.Contains("NearCache.MaxEntries is 0", near.Message);
    }
}
