using AmebaOta.Images;

namespace AmebaOta.Tests.Images;

/// <summary>The OTA checksum: u32 wrapping sum of every byte.</summary>
public class ChecksumTests
{
    private static uint Naive(byte[] bytes)
    {
        uint sum = 0;
        foreach (byte b in bytes) sum += b;
        return sum;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(64 + 7)]
    [InlineData(512 * 1024)]
    public void Matches_a_plain_byte_sum(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        Assert.Equal(Naive(bytes), Checksum.ByteSum(bytes));
    }

    [Fact]
    public void Wraps_at_32_bits()
    {
        // 0xFF × 16,843,010 = 0x1_0000_00FE: more than u32 holds.
        var bytes = new byte[16_843_010];
        Array.Fill(bytes, (byte)0xFF);
        Assert.Equal(0xFEu, Checksum.ByteSum(bytes));
    }

    [Fact]
    public void Chunked_sums_add_up_to_the_whole()
    {
        var bytes = new byte[10_000];
        new Random(3).NextBytes(bytes);
        uint sum = 0;
        for (int i = 0; i < bytes.Length; i += 512) sum = Checksum.Add(sum, bytes.AsSpan(i, Math.Min(512, bytes.Length - i)));
        Assert.Equal(Checksum.ByteSum(bytes), sum);
    }
}
