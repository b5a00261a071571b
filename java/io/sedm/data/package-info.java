/** Data sets: Fashion-MNIST from Debian's package (gzipped IDX read directly). */
package io.sedm.data;
