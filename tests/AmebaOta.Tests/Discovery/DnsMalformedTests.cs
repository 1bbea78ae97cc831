using AmebaOta.Discovery.Dns;

namespace AmebaOta.Tests.Discovery;

/// <summary>Hostile packets: every one must be rejected with <see cref="DnsFormatException"/>, nothing else, quickly and without big allocations.</summary>
public class DnsMalformedTests
{
    private static byte[] Header(int qd, int an = 0, int ns = 0, int ar = 0, ushort flags = 0x8400) =>
        [0, 0, (byte)(flags >> 8), (byte)flags, (byte)(qd >> 8), (byte)qd, (byte)(an >> 8), (byte)an, (byte)(ns >> 8), (byte)ns, (byte)(ar >> 8), (byte)ar];

    private static void Rejected(byte[] packet) => Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(packet));

    [Fact]
    public void Shorter_than_a_header() => Rejected([0, 0, 0x84]);

    [Fact]
    public void Absurd_counts_are_refused_before_allocating()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Rejected(Header(0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF));
        Rejected([.. Header(0, 2000), .. new byte[100]]);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    [Fact]
    public void Compression_pointer_to_itself() => Rejected([.. Header(1), 0xC0, 12, 0, 1, 0, 1]);

    [Fact]
    public void Compression_loop_between_two_pointers() =>
        Rejected([.. Header(1), 1, (byte)'a', 0xC0, 16, /* 16: */ 0xC0, 12, 0, 1, 0, 1]);

    [Fact]
    public void Forward_compression_pointer() => Rejected([.. Header(1), 0xC0, 20, 0, 1, 0, 1, 0, 0, 0, 0, 1, (byte)'a', 0]);

    [Fact]
    public void Pointer_past_the_end() => Rejected([.. Header(1), 0xFF, 0xFF, 0, 1, 0, 1]);

    [Fact]
    public void Name_longer_than_255_bytes_through_pointers()
    {
        // Eight 40-byte labels written as a chain of names each pointing back at the previous one.
        var packet = new List<byte>(Header(0, 1));
        int previous = -1;
        for (int i = 0; i < 8; i++)
        {
            int at = packet.Count;
            packet.Add(40);
            packet.AddRange(Enumerable.Repeat((byte)'a', 40));
            if (previous < 0) packet.Add(0); else { packet.Add((byte)(0xC0 | previous >> 8)); packet.Add((byte)previous); }
            previous = at;
        }
        // The packet so far is not a valid question section, so put the chain inside an unknown record's data instead.
        var body = packet.Skip(12).ToList();
        var real = new List<byte>(Header(0, 1)) { 0, 0, 99, 0, 1, 0, 0, 0, 0, (byte)(body.Count >> 8), (byte)body.Count };
        int shift = real.Count - 12;
        real.AddRange(body);
        // Then a second record whose name points at the last link: 8 × 41 bytes > 255.
        int last = previous + shift;
        real[7] = 2;
        real.AddRange([(byte)(0xC0 | last >> 8), (byte)last, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
        Rejected([.. real]);
    }

    [Fact]
    public void Label_runs_past_the_end() => Rejected([.. Header(1), 20, (byte)'a', (byte)'b']);

    [Fact]
    public void Extended_label_type() => Rejected([.. Header(1), 0x41, (byte)'a', 0, 0, 1, 0, 1]);

    [Fact]
    public void Record_data_longer_than_the_packet() => Rejected([.. Header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 200, 1, 2, 3, 4]);

    [Fact]
    public void A_record_of_wrong_length() => Rejected([.. Header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 1, 2, 3]);

    [Fact]
    public void Txt_string_running_past_its_record() => Rejected([.. Header(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 3, 5, (byte)'a', (byte)'b']);

    [Fact]
    public void Srv_target_running_past_its_record() =>
        Rejected([.. Header(0, 1), 0, 0, 33, 0, 1, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0x13, 0x88, 3, (byte)'a', 0, 0, 0, 0]);

    [Fact]
    public void Nsec_bitmap_with_bad_length() => Rejected([.. Header(0, 1), 0, 0, 47, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 33, 0xFF]);

    [Fact]
    public void Every_truncation_of_a_good_packet_is_rejected_or_parsed_never_anything_else()
    {
        var good = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mdns-zeroconf", "edge_response.bin"));
        for (int n = 0; n < good.Length; n++)
            Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(good.AsSpan(0, n)));
    }

    [Fact]
    public void Random_garbage_never_throws_anything_but_format_errors()
    {
        var random = new Random(6762);
        var good = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mdns-zeroconf", "built_response_flush.bin"));
        for (int i = 0; i < 20_000; i++)
        {
            var packet = (byte[])good.Clone();
            for (int flips = random.Next(1, 6); flips > 0; flips--) packet[random.Next(packet.Length)] = (byte)random.Next(256);
            try { DnsMessage.Parse(packet); }
            catch (DnsFormatException) { }
        }
    }
}
