using AmebaOta.Images;
using AmebaOta.Protocol;

namespace AmebaOta.Tests.Protocol;

public class OtaHeaderTests
{
    [Fact]
    public void Header_is_checksum_zero_length_little_endian()
    {
        byte[] file = [1, 2, 3, 250];
        var header = OtaHeader.For(file);
        Assert.Equal(new OtaHeader(256, 0, 4), header);
        Assert.Equal(new byte[] { 0x00, 0x01, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0 }, header.ToArray());
    }

    [Fact]
    public void Checksum_is_the_wrapping_byte_sum_of_the_whole_file()
    {
        var image = Support.TestImages.Image(2, 512 * 1024);
        uint expected = 0;
        foreach (byte b in image) expected += b;
        Assert.Equal(expected, OtaHeader.For(image).Checksum);
        Assert.Equal(Checksum.ByteSum(image), OtaHeader.For(image).Checksum);
    }

    [Fact]
    public void Read_round_trips_and_a_short_read_leaves_missing_words_zero()
    {
        var header = new OtaHeader(0xDEADBEEF, 0, 0x12345);
        Assert.Equal(header, OtaHeader.Read(header.ToArray()));
        Assert.Equal(new OtaHeader(0xDEADBEEF, 0, 0), OtaHeader.Read(header.ToArray().AsSpan(0, 8)));
        Assert.Equal(new OtaHeader(0, 0, 0), OtaHeader.Read([]));
        Assert.Equal(new OtaHeader(0xDEADBEEF, 0, 0x45), OtaHeader.Read(header.ToArray().AsSpan(0, 9)));
    }
}
