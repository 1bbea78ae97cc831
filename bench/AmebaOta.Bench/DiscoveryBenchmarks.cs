using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;
using BenchmarkDotNet.Attributes;

namespace AmebaOta.Bench;

/// <summary>
/// <c>discover --device MyAmeba</c> without the process start: open the mDNS socket on loopback, query, and get the
/// board's address from a responder running in the same process. Run inside a private loopback-only network namespace.
/// </summary>
[MemoryDiagnoser]
[InProcess]   // inside the namespace there is no NuGet registry to build a separate benchmark process with
public class DiscoveryBenchmarks
{
    private MdnsResponder _responder = null!;

    [GlobalSetup]
    public void Setup()
    {
        _responder = new MdnsResponder(new MdnsResponderOptions { Interface = "lo" });
        _responder.StartAsync(new ServiceAdvertisement("MyAmeba", "MyAmeba", IPAddress.Loopback, 5000, ArduinoService.StockTxt)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _responder.StopAsync().GetAwaiter().GetResult();

    [Benchmark]
    public async Task<IPAddress> ResolveMyAmeba() =>
        (await BoardResolver.ResolveAsync("MyAmeba", "lo", TimeSpan.FromSeconds(3)))?.Address ?? throw new InvalidOperationException("MyAmeba not found");
}

/// <summary>The codec alone: parse and write a typical response (PTR + SRV + TXT + A).</summary>
[MemoryDiagnoser]
public class DnsCodecBenchmarks
{
    private readonly DnsWriter _writer = new();
    private byte[] _packet = null!;
    private DnsMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        var records = new ServiceRecords(new ServiceAdvertisement("MyAmeba", "MyAmeba", IPAddress.Loopback, 5000, ArduinoService.StockTxt), "MyAmeba", "MyAmeba");
        _message = records.Announcement();
        _packet = _message.ToArray();
    }

    [Benchmark]
    public int ParseResponse() => DnsMessage.Parse(_packet).Answers.Count;

    [Benchmark]
    public int WriteResponse() => _writer.Write(_message).Length;
}
