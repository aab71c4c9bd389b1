using DistCacheAkka.ClientProxy.Extensions;
using DistCacheAkka.Messages;
using Microsoft.Extensions.Caching.Distributed;

namespace DistCacheAkka.Tests.Unit.Extensions;

// How DistributedCacheEntryOptions become the node's expiry: the documented semantics of each option and their
// combinations (the earlier absolute deadline wins; a sliding window is capped by the absolute deadline, stored as
// plain absolute when the window reaches past it), and the refusals of Microsoft's caches — an absolute expiry not in
// the future, non-positive durations — plus our limit for absurd values, each naming the option.
public class EntryExpirySpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Should_store_entries_without_options_forever()
    {
        Assert.Equal(new EntryExpiry(CacheExpiry.Never, null), EntryExpiry.From(new DistributedCacheEntryOptions(), Now));
        Assert.Equal(new EntryExpiry(CacheExpiry.Never, null), EntryExpiry.From(null, Now));
    }

    [Fact]
    public void Should_map_an_absolute_date_and_a_relative_expiry_to_the_time_left()
    {
        Assert.Equal(CacheExpiry.After(TimeSpan.FromMinutes(5)),
            EntryExpiry.From(new DistributedCacheEntryOptions { AbsoluteExpiration = Now.AddMinutes(5) }, Now).Expiry);
        Assert.Equal(CacheExpiry.After(TimeSpan.FromSeconds(30)),
            EntryExpiry.From(new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30) }, Now).Expiry);
    }

    [Theory]
    [InlineData(10, 20, 10)] // the date is earlier
    [InlineData(20, 10, 10)] // the relative deadline is earlier
    public void Should_take_the_earlier_deadline_when_both_absolute_options_are_set(int dateSeconds, int relativeSeconds, int expected)
    {
        var options = new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = Now.AddSeconds(dateSeconds),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(relativeSeconds),
        };

        Assert.Equal(new EntryExpiry(CacheExpiry.After(TimeSpan.FromSeconds(expected)), null), EntryExpiry.From(options, Now));
    }

    [Fact]
    public void Should_map_a_sliding_window_alone_to_a_sliding_expiry_without_cap()
    {
        Assert.Equal(new EntryExpiry(CacheExpiry.Sliding(TimeSpan.FromSeconds(7)), null),
            EntryExpiry.From(new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(7) }, Now));
    }

    [Fact]
    public void Should_cap_a_sliding_window_shorter_than_the_time_to_the_absolute_deadline()
    {
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(2), AbsoluteExpiration = Now.AddSeconds(10) };

        Assert.Equal(new EntryExpiry(CacheExpiry.Sliding(TimeSpan.FromSeconds(2)), Now.AddSeconds(10)), EntryExpiry.From(options, Now));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    public void Should_store_a_sliding_window_that_reaches_the_deadline_as_the_absolute_deadline(int windowSeconds)
    {
        var options = new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(windowSeconds),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10),
        };

        Assert.Equal(new EntryExpiry(CacheExpiry.After(TimeSpan.FromSeconds(10)), null), EntryExpiry.From(options, Now));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void Should_refuse_an_absolute_expiry_that_is_not_in_the_future(int seconds)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            EntryExpiry.From(new DistributedCacheEntryOptions { AbsoluteExpiration = Now.AddSeconds(seconds) }, Now));

        Assert.Equal(nameof(DistributedCacheEntryOptions.AbsoluteExpiration), e.ParamName);
        Assert.Contains("must be in the future", e.Message);
    }

    [Fact]
    public void Should_refuse_non_positive_durations_naming_the_option()
    {
        // DistributedCacheEntryOptions refuses them itself when they are set...
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(-1) });

        // ...and so does the mapping, for values that reach it another way.
        var relative = Assert.Throws<ArgumentOutOfRangeException>(() => EntryExpiry.From(null, TimeSpan.Zero, null, Now));
        var sliding = Assert.Throws<ArgumentOutOfRangeException>(() => EntryExpiry.From(null, null, TimeSpan.FromTicks(-1), Now));

        Assert.Equal((nameof(DistributedCacheEntryOptions.AbsoluteExpirationRelativeToNow), nameof(DistributedCacheEntryOptions.SlidingExpiration)),
            (relative.ParamName, sliding.ParamName));
        Assert.Contains("must be positive", relative.Message);
    }

    [Fact]
    public void Should_refuse_absurd_expiries_naming_the_option_and_the_limit()
    {
        var date = Assert.Throws<ArgumentOutOfRangeException>(() =>
            EntryExpiry.From(new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.MaxValue }, Now));
        var relative = Assert.Throws<ArgumentOutOfRangeException>(() =>
            EntryExpiry.From(new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.MaxValue }, Now));
        var sliding = Assert.Throws<ArgumentOutOfRangeException>(() =>
            EntryExpiry.From(new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromDays(3651) }, Now));

        Assert.Equal(nameof(DistributedCacheEntryOptions.AbsoluteExpiration), date.ParamName);
        Assert.Equal(nameof(DistributedCacheEntryOptions.AbsoluteExpirationRelativeToNow), relative.ParamName);
        Assert.Equal(nameof(DistributedCacheEntryOptions.SlidingExpiration), sliding.ParamName);
        Assert.All(new[] { date, relative, sliding }, e => Assert.Contains("the longest TTL is 3650 days", e.Message));
        Assert.Equal(CacheExpiry.Sliding(TimeSpan.FromDays(3650)),
            EntryExpiry.From(new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromDays(3650) }, Now).Expiry);
    }
}
