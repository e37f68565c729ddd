// SPDX-License-Identifier: MIT
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Second-simulator smoke test (Icarus Verilog): rtl/crc32c.v on the RFC 3720 B.4 / catalogue
 * CRC32c vectors (protocol.md §1.5), back to back, in receive mode (m_crc = CRC of the
 * packet), then one FPDU in transmit mode. Prints PASS or FAIL and exits.
 *   iverilog -g2005 -P tb_crc32c_vectors.DATA_BYTES=8 -o t tb_crc32c_vectors.v ../../../rtl/crc32c.v && vvp t
 */
module tb_crc32c_vectors;

parameter DATA_BYTES = 8;

reg clk = 1'b0, rst = 1'b1;
reg cfg_crc_en = 1'b1, cfg_insert = 1'b0;
reg [DATA_BYTES*8-1:0] s_data = 0;
reg [DATA_BYTES-1:0] s_keep = 0;
reg s_sop = 0, s_eop = 0, s_valid = 0;
wire s_ready;
wire [DATA_BYTES*8-1:0] m_data;
wire [DATA_BYTES-1:0] m_keep;
wire m_sop, m_eop, m_valid;
wire [31:0] m_crc;
wire m_crc_ok;

crc32c #(.DATA_BYTES(DATA_BYTES)) dut (
    .clk(clk), .rst(rst), .cfg_crc_en(cfg_crc_en), .cfg_insert(cfg_insert),
    .s_data(s_data), .s_keep(s_keep), .s_sop(s_sop), .s_eop(s_eop), .s_valid(s_valid), .s_ready(s_ready),
    .m_data(m_data), .m_keep(m_keep), .m_sop(m_sop), .m_eop(m_eop), .m_valid(m_valid), .m_ready(1'b1),
    .m_crc(m_crc), .m_crc_ok(m_crc_ok));

always #5 clk = ~clk;

reg [7:0] pkt [0:63];
integer errors = 0;
integer n_out = 0;
reg [31:0] expect [0:7];
reg [7:0] last_byte;

task send(input integer len);
    integer off, i;
    begin
        for (off = 0; off < len; off = off + DATA_BYTES) begin
            for (i = 0; i < DATA_BYTES; i = i + 1) begin
                s_data[8*i +: 8] = (off + i < len) ? pkt[off + i] : 8'h00;
                s_keep[i] = off + i < len;
            end
            s_sop = off == 0;
            s_eop = off + DATA_BYTES >= len;
            s_valid = 1'b1;
            @(posedge clk);
            #1;   // drive after the edge: no race with the DUT's sampling
        end
        s_valid = 1'b0;
    end
endtask

// Check each packet's CRC as it leaves.
always @(posedge clk) begin
    if (m_valid && m_eop) begin
        if (m_crc !== expect[n_out]) begin
            $display("FAIL vector %0d: m_crc %08x, expected %08x", n_out, m_crc, expect[n_out]);
            errors = errors + 1;
        end
        n_out = n_out + 1;
    end
end

integer i;
initial begin
    expect[0] = 32'h8A9136AA;   // 32 x 00
    expect[1] = 32'h62A8AB43;   // 32 x FF
    expect[2] = 32'h46DD794E;   // 00 01 .. 1F
    expect[3] = 32'h113FDB5C;   // 1F 1E .. 00
    expect[4] = 32'hE3069283;   // "123456789"
    expect[5] = 32'h3FDCB1F6;   // Send FPDU "hello iWARP!!", CRC filled in by the block
    repeat (3) @(posedge clk);
    #1 rst = 1'b0;
    @(posedge clk);
    #1;
    for (i = 0; i < 32; i = i + 1) pkt[i] = 8'h00;
    send(32);
    for (i = 0; i < 32; i = i + 1) pkt[i] = 8'hFF;
    send(32);
    for (i = 0; i < 32; i = i + 1) pkt[i] = i;
    send(32);
    for (i = 0; i < 32; i = i + 1) pkt[i] = 31 - i;
    send(32);
    for (i = 0; i < 9; i = i + 1) pkt[i] = "1" + i;
    send(9);
    @(posedge clk);
    @(posedge clk);
    // Transmit mode: the last 4 bytes are replaced by the CRC (protocol.md §1.5 vector).
    cfg_insert = 1'b1;
    {pkt[0], pkt[1], pkt[2], pkt[3]} = 32'h001f4143;
    {pkt[4], pkt[5], pkt[6], pkt[7]} = 32'h00000000;
    {pkt[8], pkt[9], pkt[10], pkt[11]} = 32'h00000000;
    {pkt[12], pkt[13], pkt[14], pkt[15]} = 32'h00000001;
    {pkt[16], pkt[17], pkt[18], pkt[19]} = 32'h00000000;
    {pkt[20], pkt[21], pkt[22], pkt[23]} = 32'h68656c6c;
    {pkt[24], pkt[25], pkt[26], pkt[27]} = 32'h6f206957;
    {pkt[28], pkt[29], pkt[30], pkt[31]} = 32'h41525021;
    {pkt[32], pkt[33], pkt[34], pkt[35]} = 32'h21000000;
    {pkt[36], pkt[37], pkt[38], pkt[39]} = 32'hdeadbeef;
    send(40);
    repeat (4) @(posedge clk);
    if (n_out != 6) begin
        $display("FAIL: %0d packets out, expected 6", n_out);
        errors = errors + 1;
    end
    if (errors == 0) $display("PASS crc32c vectors DATA_BYTES=%0d", DATA_BYTES);
    $finish;
end

endmodule

`resetall
