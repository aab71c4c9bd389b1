using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Hybrid;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="HybridCache"/> over the DistCacheAkka client of <c>AddDistCache</c>.</summary>
public static class HybridCacheServiceCollectionExtensions
{
    /// <summary>As <see cref="AddDistCacheHybridCache(IServiceCollection, Action{DistCacheHybridCacheOptions})"/> with default options.</summary>
    public static IServiceCollection AddDistCacheHybridCache(this IServiceCollection services) => services.AddDistCacheHybridCache(_ => { });

    /// <summary>
    /// Registers, as a singleton, a <see cref="HybridCache"/> whose L1 is the client's near cache and L2 the cluster
    /// (replacing a HybridCache registered before). Call it after <c>AddDistCache</c>. If the client's options have
    /// no near cache, it is switched on with <see cref="DistCacheHybridCacheOptions.DefaultNearCache"/>. Serializers
    /// registered as <see cref="IHybridCacheSerializer{T}"/> or <see cref="IHybridCacheSerializerFactory"/> are used.
    /// </summary>
    /// <exception cref="InvalidOperationException">AddDistCache was not called first, or AddDistCacheHybridCache was already called.</exception>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static IServiceCollection AddDistCacheHybridCache(this IServiceCollection services, Action<DistCacheHybridCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var clientOptions = services.LastOrDefault(d => d.ServiceType == typeof(DistCacheClientOptions))
            ?? throw new InvalidOperationException(
                "AddDistCacheHybridCache needs the DistCacheAkka client: call services.AddDistCache(options) before services.AddDistCacheHybridCache().");
        if (services.Any(d => d.ServiceType == typeof(DistCacheHybridCache)))
            throw new InvalidOperationException("AddDistCacheHybridCache was already called on this service collection.");
        var options = new DistCacheHybridCacheOptions();
        configure(options);
        if (options.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(configure));

        // L1 is the near cache: switch it on where the application left it off.
        services.Remove(clientOptions);
        services.AddSingleton(provider =>
        {
            var built = (DistCacheClientOptions)(clientOptions.ImplementationInstance ?? clientOptions.ImplementationFactory!(provider));
            return built.NearCache is null ? built with { NearCache = options.DefaultNearCache } : built;
        });
        services.AddSingleton(options);
        services.AddSingleton(provider => new HybridSerializers(provider));
        services.AddSingleton(provider => new DistCacheHybridCache(
            provider.GetRequiredService<IDistCacheClient>(), options, provider.GetRequiredService<HybridSerializers>(),
            provider.GetService<TimeProvider>(), provider.GetService<ILogger<DistCacheHybridCache>>(),
            provider.GetRequiredService<DistCacheClientOptions>().ClusterSettings));
        services.RemoveAll<HybridCache>();
        services.AddSingleton<HybridCache>(provider => provider.GetRequiredService<DistCacheHybridCache>());
        return services;
    }
}
